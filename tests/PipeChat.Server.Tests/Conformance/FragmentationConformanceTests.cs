using PipeChat.Protocol.Framing;

namespace PipeChat.Server.Tests.Conformance;

/// <summary>Autobahn section 5: fragmented messages are echoed whole; control frames may interleave; broken sequences fail with 1002.</summary>
public abstract class FragmentationConformanceTests(EchoServerFixture server)
{
    /// <summary>On PipeChat's lean transport (<c>--transport pipechat</c>, the default for ws://).</summary>
    public sealed class Lean(EchoServerFixture server) : FragmentationConformanceTests(server), IClassFixture<EchoServerFixture>;

    /// <summary>On Kestrel's sockets transport (<c>--transport kestrel</c>, what wss:// uses).</summary>
    public sealed class Kestrel(KestrelEchoServerFixture server) : FragmentationConformanceTests(server), IClassFixture<KestrelEchoServerFixture>;

    private static readonly byte[] s_text = "fragmented 你好 κόσμε 🎉 message"u8.ToArray();

    public static TheoryData<WebSocketOpcode, int> FragmentSizes()
    {
        var data = new TheoryData<WebSocketOpcode, int>();
        foreach (var opcode in new[] { WebSocketOpcode.Text, WebSocketOpcode.Binary })
        {
            foreach (var size in new[] { 1, 2, 3, 5, 16, 64 })
            {
                data.Add(opcode, size);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FragmentSizes))]
    public async Task Fragmented_message_is_echoed_whole(WebSocketOpcode opcode, int fragmentSize)
    {
        await using var client = await server.ConnectAsync();
        var payload = opcode == WebSocketOpcode.Text ? s_text : Payloads.Binary(s_text.Length);

        await client.SendRawAsync(Fragments(opcode, payload, fragmentSize));

        await client.ExpectMessageAsync(opcode, payload);
    }

    [Theory]
    [InlineData(WebSocketOpcode.Text)]
    [InlineData(WebSocketOpcode.Binary)]
    public async Task Fragmented_message_with_empty_fragments_is_echoed_whole(WebSocketOpcode opcode)
    {
        await using var client = await server.ConnectAsync();

        await client.SendFrameAsync(opcode, ReadOnlySpan<byte>.Empty, fin: false);
        await client.SendFrameAsync(WebSocketOpcode.Continuation, "abc"u8, fin: false);
        await client.SendFrameAsync(WebSocketOpcode.Continuation, ReadOnlySpan<byte>.Empty, fin: false);
        await client.SendFrameAsync(WebSocketOpcode.Continuation, ReadOnlySpan<byte>.Empty, fin: true);

        await client.ExpectMessageAsync(opcode, "abc"u8.ToArray());
    }

    [Theory]
    [InlineData(WebSocketOpcode.Text)]
    [InlineData(WebSocketOpcode.Binary)]
    public async Task All_fragments_empty_is_echoed_as_an_empty_message(WebSocketOpcode opcode)
    {
        await using var client = await server.ConnectAsync();

        await client.SendFrameAsync(opcode, ReadOnlySpan<byte>.Empty, fin: false);
        await client.SendFrameAsync(WebSocketOpcode.Continuation, ReadOnlySpan<byte>.Empty, fin: true);

        await client.ExpectMessageAsync(opcode, Array.Empty<byte>());
    }

    [Theory]
    [InlineData(WebSocketOpcode.Text)]
    [InlineData(WebSocketOpcode.Binary)]
    public async Task Ping_between_fragments_is_answered_before_the_echo(WebSocketOpcode opcode)
    {
        await using var client = await server.ConnectAsync();

        await client.SendFrameAsync(opcode, "frag"u8, fin: false);
        await client.SendFrameAsync(WebSocketOpcode.Ping, "in between"u8);
        await client.ExpectPongAsync("in between"u8.ToArray());
        await client.SendFrameAsync(WebSocketOpcode.Continuation, "ment"u8, fin: true);

        await client.ExpectMessageAsync(opcode, "fragment"u8.ToArray());
    }

    [Fact]
    public async Task Pings_between_every_fragment_are_all_answered()
    {
        await using var client = await server.ConnectAsync();

        await client.SendRawAsync(
            ClientFrames.Build(WebSocketOpcode.Text, "a"u8, fin: false)
                .Concat(ClientFrames.Build(WebSocketOpcode.Ping, "1"u8))
                .Concat(ClientFrames.Build(WebSocketOpcode.Continuation, "b"u8, fin: false))
                .Concat(ClientFrames.Build(WebSocketOpcode.Ping, "2"u8))
                .Concat(ClientFrames.Build(WebSocketOpcode.Continuation, "c"u8, fin: true))
                .ToArray());

        await client.ExpectPongAsync("1"u8.ToArray());
        await client.ExpectPongAsync("2"u8.ToArray());
        await client.ExpectTextAsync("abc");
    }

    [Fact]
    public async Task Pong_between_fragments_is_ignored()
    {
        await using var client = await server.ConnectAsync();

        await client.SendFrameAsync(WebSocketOpcode.Text, "frag"u8, fin: false);
        await client.SendFrameAsync(WebSocketOpcode.Pong, "ignored"u8);
        await client.SendFrameAsync(WebSocketOpcode.Continuation, "ment"u8, fin: true);

        await client.ExpectTextAsync("fragment");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Continuation_without_a_start_is_closed_with_1002(bool fin)
    {
        await using var client = await server.ConnectAsync();

        await client.SendIgnoringClosedAsync(ClientFrames.Build(WebSocketOpcode.Continuation, "orphan"u8, fin));

        await client.ExpectCloseAsync(WebSocketCloseCodes.ProtocolError);
    }

    [Fact]
    public async Task Continuation_after_a_finished_message_is_closed_with_1002()
    {
        await using var client = await server.ConnectAsync();

        await client.SendFrameAsync(WebSocketOpcode.Text, "done"u8);
        await client.ExpectTextAsync("done");
        await client.SendIgnoringClosedAsync(ClientFrames.Build(WebSocketOpcode.Continuation, "late"u8));

        await client.ExpectCloseAsync(WebSocketCloseCodes.ProtocolError);
    }

    [Theory]
    [InlineData(WebSocketOpcode.Text, WebSocketOpcode.Text)]
    [InlineData(WebSocketOpcode.Text, WebSocketOpcode.Binary)]
    [InlineData(WebSocketOpcode.Binary, WebSocketOpcode.Text)]
    [InlineData(WebSocketOpcode.Binary, WebSocketOpcode.Binary)]
    public async Task New_data_frame_inside_a_fragmented_message_is_closed_with_1002(WebSocketOpcode first, WebSocketOpcode intruder)
    {
        await using var client = await server.ConnectAsync();

        await client.SendFrameAsync(first, "start"u8, fin: false);
        await client.SendIgnoringClosedAsync(ClientFrames.Build(intruder, "intruder"u8, fin: true));

        await client.ExpectCloseAsync(WebSocketCloseCodes.ProtocolError);
    }

    [Theory]
    [InlineData(WebSocketOpcode.Ping)]
    [InlineData(WebSocketOpcode.Pong)]
    [InlineData(WebSocketOpcode.Close)]
    public async Task Fragmented_control_frame_is_closed_with_1002(WebSocketOpcode opcode)
    {
        await using var client = await server.ConnectAsync();
        var payload = opcode == WebSocketOpcode.Close ? ClientFrames.ClosePayload(1000) : "fragmented control"u8.ToArray();

        await client.SendIgnoringClosedAsync(
            ClientFrames.Build(opcode, payload, fin: false)
                .Concat(ClientFrames.Build(WebSocketOpcode.Continuation, "tail"u8, fin: true))
                .ToArray());

        await client.ExpectCloseAsync(WebSocketCloseCodes.ProtocolError);
    }

    internal static byte[] Fragments(WebSocketOpcode opcode, ReadOnlySpan<byte> payload, int fragmentSize)
    {
        using var frames = new MemoryStream();
        var offset = 0;
        do
        {
            var size = Math.Min(fragmentSize, payload.Length - offset);
            var fin = offset + size == payload.Length;
            frames.Write(ClientFrames.Build(offset == 0 ? opcode : WebSocketOpcode.Continuation, payload.Slice(offset, size), fin));
            offset += size;
        }
        while (offset < payload.Length);

        return frames.ToArray();
    }
}
