using PipeChat.Protocol.Framing;

namespace PipeChat.Server.Tests.Conformance;

/// <summary>Autobahn section 1: text and binary frames of every length class are echoed exactly.</summary>
public abstract class FramingConformanceTests(EchoServerFixture server)
{
    /// <summary>On PipeChat's lean transport (<c>--transport pipechat</c>, the default for ws://).</summary>
    public sealed class Lean(EchoServerFixture server) : FramingConformanceTests(server), IClassFixture<EchoServerFixture>;

    /// <summary>On Kestrel's sockets transport (<c>--transport kestrel</c>, what wss:// uses).</summary>
    public sealed class Kestrel(KestrelEchoServerFixture server) : FramingConformanceTests(server), IClassFixture<KestrelEchoServerFixture>;

    public static TheoryData<WebSocketOpcode, int> Lengths()
    {
        var data = new TheoryData<WebSocketOpcode, int>();
        foreach (var opcode in new[] { WebSocketOpcode.Text, WebSocketOpcode.Binary })
        {
            foreach (var length in new[] { 0, 125, 126, 127, 128, 65535, 65536 })
            {
                data.Add(opcode, length);
            }
        }

        return data;
    }

    public static TheoryData<WebSocketOpcode, int, int> ChunkedWrites()
    {
        var data = new TheoryData<WebSocketOpcode, int, int>();
        foreach (var opcode in new[] { WebSocketOpcode.Text, WebSocketOpcode.Binary })
        {
            foreach (var length in new[] { 0, 1, 125, 126, 127, 128 })
            {
                data.Add(opcode, length, 1);
            }

            foreach (var length in new[] { 65535, 65536 })
            {
                data.Add(opcode, length, 997);
                data.Add(opcode, length, 4096);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public async Task Single_frame_message_is_echoed_exactly(WebSocketOpcode opcode, int length)
    {
        await using var client = await server.ConnectAsync();
        var payload = Payloads.For(opcode == WebSocketOpcode.Text, length);

        await client.SendFrameAsync(opcode, payload);

        await client.ExpectMessageAsync(opcode, payload);
    }

    [Theory]
    [MemberData(nameof(ChunkedWrites))]
    public async Task Frame_written_in_small_chunks_is_echoed_exactly(WebSocketOpcode opcode, int length, int chunkSize)
    {
        await using var client = await server.ConnectAsync();
        var payload = Payloads.For(opcode == WebSocketOpcode.Text, length);

        await client.SendChunkedAsync(ClientFrames.Build(opcode, payload), chunkSize);

        await client.ExpectMessageAsync(opcode, payload);
    }

    [Fact]
    public async Task Many_frames_in_one_write_are_echoed_in_order()
    {
        await using var client = await server.ConnectAsync();
        var messages = Enumerable.Range(0, 20).Select(i => (Text: i % 2 == 0, Payload: Payloads.For(i % 2 == 0, i * 13))).ToArray();

        await client.SendRawAsync(messages.SelectMany(m => ClientFrames.Build(m.Text ? WebSocketOpcode.Text : WebSocketOpcode.Binary, m.Payload)).ToArray());

        foreach (var (text, payload) in messages)
        {
            await client.ExpectMessageAsync(text ? WebSocketOpcode.Text : WebSocketOpcode.Binary, payload);
        }
    }

    [Fact]
    public async Task Unmasked_client_frame_is_closed_with_1002_after_earlier_messages_are_echoed()
    {
        await using var client = await server.ConnectAsync();
        await client.SendFrameAsync(WebSocketOpcode.Text, "hello"u8);
        await client.ExpectTextAsync("hello");

        await client.SendIgnoringClosedAsync(new byte[] { 0x81, 0x05, (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o' });

        await client.ExpectCloseAsync(WebSocketCloseCodes.ProtocolError);
    }
}
