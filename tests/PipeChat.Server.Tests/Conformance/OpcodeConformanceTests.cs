using PipeChat.Protocol.Framing;

namespace PipeChat.Server.Tests.Conformance;

/// <summary>Autobahn section 4: reserved opcodes (3–7 data, 0xB–0xF control) fail the connection with 1002.</summary>
public abstract class OpcodeConformanceTests(EchoServerFixture server)
{
    /// <summary>On PipeChat's lean transport (<c>--transport pipechat</c>, the default for ws://).</summary>
    public sealed class Lean(EchoServerFixture server) : OpcodeConformanceTests(server), IClassFixture<EchoServerFixture>;

    /// <summary>On Kestrel's sockets transport (<c>--transport kestrel</c>, what wss:// uses).</summary>
    public sealed class Kestrel(KestrelEchoServerFixture server) : OpcodeConformanceTests(server), IClassFixture<KestrelEchoServerFixture>;

    public static TheoryData<int, int> Cases()
    {
        var data = new TheoryData<int, int>();
        foreach (var opcode in new[] { 3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF })
        {
            data.Add(opcode, 0);
            data.Add(opcode, 5);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Reserved_opcode_is_closed_with_1002_after_the_preceding_message_is_echoed(int opcode, int payloadLength)
    {
        await using var client = await server.ConnectAsync();

        await client.SendFrameAsync(WebSocketOpcode.Text, "valid first"u8);
        await client.ExpectTextAsync("valid first");
        await client.SendIgnoringClosedAsync(ClientFrames.Build((WebSocketOpcode)opcode, Payloads.Binary(payloadLength)));

        await client.ExpectCloseAsync(WebSocketCloseCodes.ProtocolError);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(0xB)]
    public async Task Reserved_opcode_followed_by_a_ping_gets_no_pong(int opcode)
    {
        await using var client = await server.ConnectAsync();

        await client.SendIgnoringClosedAsync(ClientFrames.Build((WebSocketOpcode)opcode, ReadOnlySpan<byte>.Empty)
            .Concat(ClientFrames.Build(WebSocketOpcode.Ping, "late"u8)).ToArray());

        await client.ExpectCloseAsync(WebSocketCloseCodes.ProtocolError);
    }
}
