using PipeChat.Protocol.Framing;

namespace PipeChat.Server.Tests.Conformance;

/// <summary>
/// Autobahn section 9: big messages up to the configured limit are echoed exactly, in one frame or in
/// many fragments; one byte over the limit fails with 1009.
/// </summary>
public abstract class BigMessageConformanceTests(EchoServerFixture server)
{
    /// <summary>On PipeChat's lean transport (<c>--transport pipechat</c>, the default for ws://).</summary>
    public sealed class Lean(EchoServerFixture server) : BigMessageConformanceTests(server), IClassFixture<EchoServerFixture>;

    /// <summary>On Kestrel's sockets transport (<c>--transport kestrel</c>, what wss:// uses).</summary>
    public sealed class Kestrel(KestrelEchoServerFixture server) : BigMessageConformanceTests(server), IClassFixture<KestrelEchoServerFixture>;

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    public static TheoryData<WebSocketOpcode, int, int> Cases()
    {
        var data = new TheoryData<WebSocketOpcode, int, int>();
        foreach (var opcode in new[] { WebSocketOpcode.Text, WebSocketOpcode.Binary })
        {
            foreach (var length in new[] { 64 * 1024, 256 * 1024, 1024 * 1024 })
            {
                data.Add(opcode, length, 0);
                data.Add(opcode, length, 4 * 1024);
                data.Add(opcode, length, 64 * 1024);
            }
        }

        return data;
    }

    /// <param name="fragmentSize">0: one frame.</param>
    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Big_message_is_echoed_exactly(WebSocketOpcode opcode, int length, int fragmentSize)
    {
        await using var client = await server.ConnectAsync(s_timeout);
        var payload = Payloads.For(opcode == WebSocketOpcode.Text, length);
        var frames = fragmentSize == 0 ? ClientFrames.Build(opcode, payload) : FragmentationConformanceTests.Fragments(opcode, payload, fragmentSize);

        var sending = client.SendChunkedAsync(frames, 64 * 1024);
        await client.ExpectMessageAsync(opcode, payload);
        await sending;
    }

    [Theory]
    [InlineData(WebSocketOpcode.Text, 0)]
    [InlineData(WebSocketOpcode.Binary, 0)]
    [InlineData(WebSocketOpcode.Text, 64 * 1024)]
    [InlineData(WebSocketOpcode.Binary, 64 * 1024)]
    public async Task Message_one_byte_over_the_limit_is_closed_with_1009(WebSocketOpcode opcode, int fragmentSize)
    {
        await using var client = await server.ConnectAsync(s_timeout);
        var payload = Payloads.For(opcode == WebSocketOpcode.Text, EchoServerFixture.MaxMessageBytes + 1);
        var frames = fragmentSize == 0 ? ClientFrames.Build(opcode, payload) : FragmentationConformanceTests.Fragments(opcode, payload, fragmentSize);

        var sending = client.SendIgnoringClosedAsync(frames);
        await client.ExpectCloseAsync(WebSocketCloseCodes.MessageTooBig, reply: false);
        await sending;
    }
}
