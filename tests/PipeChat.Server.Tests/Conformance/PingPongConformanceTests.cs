using PipeChat.Protocol.Framing;

namespace PipeChat.Server.Tests.Conformance;

/// <summary>Autobahn section 2: pings are answered with the same payload; pongs need no answer.</summary>
public abstract class PingPongConformanceTests(EchoServerFixture server)
{
    /// <summary>On PipeChat's lean transport (<c>--transport pipechat</c>, the default for ws://).</summary>
    public sealed class Lean(EchoServerFixture server) : PingPongConformanceTests(server), IClassFixture<EchoServerFixture>;

    /// <summary>On Kestrel's sockets transport (<c>--transport kestrel</c>, what wss:// uses).</summary>
    public sealed class Kestrel(KestrelEchoServerFixture server) : PingPongConformanceTests(server), IClassFixture<KestrelEchoServerFixture>;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(124)]
    [InlineData(125)]
    public async Task Ping_is_answered_with_a_pong_carrying_the_same_payload(int length)
    {
        await using var client = await server.ConnectAsync();
        var payload = Payloads.Binary(length);

        await client.SendFrameAsync(WebSocketOpcode.Ping, payload);

        await client.ExpectPongAsync(payload);
    }

    [Fact]
    public async Task Ping_with_text_payload_is_answered_with_the_same_bytes()
    {
        await using var client = await server.ConnectAsync();
        var payload = "Hello, 世界 🎉"u8.ToArray();

        await client.SendFrameAsync(WebSocketOpcode.Ping, payload);

        await client.ExpectPongAsync(payload);
    }

    [Fact]
    public async Task Ping_written_one_byte_at_a_time_is_answered()
    {
        await using var client = await server.ConnectAsync();
        var payload = Payloads.Binary(125);

        await client.SendChunkedAsync(ClientFrames.Build(WebSocketOpcode.Ping, payload), 1);

        await client.ExpectPongAsync(payload);
    }

    [Theory]
    [InlineData(126)]
    [InlineData(127)]
    [InlineData(1000)]
    [InlineData(65535)]
    [InlineData(65536)]
    public async Task Ping_longer_than_125_bytes_is_closed_with_1002(int length)
    {
        await using var client = await server.ConnectAsync();

        await client.SendIgnoringClosedAsync(ClientFrames.Build(WebSocketOpcode.Ping, Payloads.Binary(length)));

        await client.ExpectCloseAsync(WebSocketCloseCodes.ProtocolError);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(125)]
    public async Task Unsolicited_pong_is_ignored(int length)
    {
        await using var client = await server.ConnectAsync();

        await client.SendFrameAsync(WebSocketOpcode.Pong, Payloads.Binary(length));
        await client.SendFrameAsync(WebSocketOpcode.Text, "after pong"u8);

        await client.ExpectTextAsync("after pong");
    }

    [Fact]
    public async Task Unsolicited_pong_then_ping_gets_only_the_pong_for_the_ping()
    {
        await using var client = await server.ConnectAsync();

        await client.SendFrameAsync(WebSocketOpcode.Pong, "unsolicited"u8);
        await client.SendFrameAsync(WebSocketOpcode.Ping, "solicited"u8);

        await client.ExpectPongAsync("solicited"u8.ToArray());
    }

    [Fact]
    public async Task Ten_pings_in_a_row_get_ten_pongs_in_order()
    {
        await using var client = await server.ConnectAsync();
        var pings = Enumerable.Range(0, 10).Select(i => Payloads.Binary(i * 12 + 1)).ToArray();

        await client.SendRawAsync(pings.SelectMany(p => ClientFrames.Build(WebSocketOpcode.Ping, p)).ToArray());

        foreach (var ping in pings)
        {
            await client.ExpectPongAsync(ping);
        }
    }

    [Fact]
    public async Task Ten_pings_sent_one_by_one_get_ten_pongs_in_order()
    {
        await using var client = await server.ConnectAsync();

        for (var i = 0; i < 10; i++)
        {
            var payload = Payloads.Binary(i + 1);
            await client.SendFrameAsync(WebSocketOpcode.Ping, payload);
            await client.ExpectPongAsync(payload);
        }
    }
}
