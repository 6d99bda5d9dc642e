using PipeChat.Protocol.Framing;

namespace PipeChat.Server.Tests.Conformance;

/// <summary>Autobahn section 3: with no extension negotiated, any RSV bit fails the connection with 1002.</summary>
public abstract class ReservedBitsConformanceTests(EchoServerFixture server)
{
    /// <summary>On PipeChat's lean transport (<c>--transport pipechat</c>, the default for ws://).</summary>
    public sealed class Lean(EchoServerFixture server) : ReservedBitsConformanceTests(server), IClassFixture<EchoServerFixture>;

    /// <summary>On Kestrel's sockets transport (<c>--transport kestrel</c>, what wss:// uses).</summary>
    public sealed class Kestrel(KestrelEchoServerFixture server) : ReservedBitsConformanceTests(server), IClassFixture<KestrelEchoServerFixture>;

    public static TheoryData<int, WebSocketOpcode> Cases()
    {
        var data = new TheoryData<int, WebSocketOpcode>();
        foreach (var opcode in new[] { WebSocketOpcode.Text, WebSocketOpcode.Binary, WebSocketOpcode.Ping, WebSocketOpcode.Pong, WebSocketOpcode.Close })
        {
            for (var rsv = 1; rsv <= 7; rsv++)
            {
                data.Add(rsv, opcode);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Frame_with_reserved_bits_is_closed_with_1002_after_the_preceding_message_is_echoed(int rsv, WebSocketOpcode opcode)
    {
        await using var client = await server.ConnectAsync();
        var payload = opcode == WebSocketOpcode.Close ? ClientFrames.ClosePayload(1000) : "Hello"u8.ToArray();

        await client.SendFrameAsync(WebSocketOpcode.Text, "valid first"u8);
        await client.ExpectTextAsync("valid first");
        await client.SendIgnoringClosedAsync(ClientFrames.Build(opcode, payload, rsv: rsv));

        await client.ExpectCloseAsync(WebSocketCloseCodes.ProtocolError);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Reserved_bits_on_a_continuation_frame_are_closed_with_1002(int rsv)
    {
        await using var client = await server.ConnectAsync();

        await client.SendFrameAsync(WebSocketOpcode.Text, "frag"u8, fin: false);
        await client.SendIgnoringClosedAsync(ClientFrames.Build(WebSocketOpcode.Continuation, "ment"u8, fin: true, rsv: rsv));

        await client.ExpectCloseAsync(WebSocketCloseCodes.ProtocolError);
    }
}
