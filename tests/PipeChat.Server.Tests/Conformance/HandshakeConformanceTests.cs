using System.Text;
using PipeChat.Protocol.Framing;

namespace PipeChat.Server.Tests.Conformance;

/// <summary>The opening handshake over a real socket: upgrades succeed, everything else gets a proper HTTP answer, never a hang.</summary>
public abstract class HandshakeConformanceTests(HandshakeServerFixture server)
{
    /// <summary>On PipeChat's lean transport (<c>--transport pipechat</c>, the default for ws://).</summary>
    public sealed class Lean(HandshakeServerFixture server) : HandshakeConformanceTests(server), IClassFixture<HandshakeServerFixture>;

    /// <summary>On Kestrel's sockets transport (<c>--transport kestrel</c>, what wss:// uses).</summary>
    public sealed class Kestrel(KestrelHandshakeServerFixture server) : HandshakeConformanceTests(server), IClassFixture<KestrelHandshakeServerFixture>;

    private const string Key = "dGhlIHNhbXBsZSBub25jZQ==";

    [Theory]
    [InlineData("Upgrade")]
    [InlineData("keep-alive, Upgrade")]
    [InlineData("upgrade")]
    public async Task Valid_upgrade_gets_101_with_the_rfc_accept_key(string connection)
    {
        await using var client = await RawWebSocketClient.OpenAsync(server.Port);

        await client.SendTextAsync(Request("GET", "/echo", $"Upgrade: websocket\r\nConnection: {connection}\r\nSec-WebSocket-Key: {Key}\r\nSec-WebSocket-Version: 13\r\n"));

        var head = await client.ReadHttpHeadAsync();
        Assert.Equal(101, head.StatusCode);
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", head.Headers.GetValueOrDefault("Sec-WebSocket-Accept"));
        Assert.Equal("websocket", head.Headers.GetValueOrDefault("Upgrade"), ignoreCase: true);
        await client.SendFrameAsync(WebSocketOpcode.Text, "after upgrade"u8);
        await client.ExpectTextAsync("after upgrade");
    }

    [Fact]
    public async Task Upgrade_offering_permessage_deflate_is_answered_with_the_accepted_parameters()
    {
        await using var client = await RawWebSocketClient.OpenAsync(server.Port);

        await client.SendTextAsync(Request("GET", "/echo",
            $"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {Key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"));

        var head = await client.ReadHttpHeadAsync();
        Assert.Equal(101, head.StatusCode);
        Assert.Equal("permessage-deflate; server_no_context_takeover; client_no_context_takeover", head.Headers.GetValueOrDefault("Sec-WebSocket-Extensions"));
    }

    [Fact]
    public async Task Offered_subprotocols_are_never_answered_with_one_not_offered()
    {
        await using var client = await RawWebSocketClient.OpenAsync(server.Port);

        await client.SendTextAsync(Request("GET", "/echo",
            $"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {Key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: chat.v1, chat.v2\r\n"));

        var head = await client.ReadHttpHeadAsync();
        Assert.Equal(101, head.StatusCode);
        if (head.Headers.TryGetValue("Sec-WebSocket-Protocol", out var selected))
        {
            Assert.Contains(selected, new[] { "chat.v1", "chat.v2" });
        }
    }

    [Fact]
    public async Task Missing_key_gets_400()
        => await AssertStatusAsync(Request("GET", "/echo", "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"), 400);

    [Fact]
    public async Task Key_that_is_not_16_bytes_gets_400()
        => await AssertStatusAsync(Request("GET", "/echo", "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: c2hvcnQ=\r\nSec-WebSocket-Version: 13\r\n"), 400);

    [Fact]
    public async Task Version_8_gets_426_naming_version_13()
    {
        var head = await AssertStatusAsync(Request("GET", "/echo", $"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {Key}\r\nSec-WebSocket-Version: 8\r\n"), 426);

        Assert.Equal("13", head.Headers.GetValueOrDefault("Sec-WebSocket-Version"));
    }

    [Fact]
    public async Task Post_gets_405()
        => await AssertStatusAsync(Request("POST", "/echo", $"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {Key}\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\n"), 405);

    [Fact]
    public async Task Healthz_gets_200_and_the_connection_ends()
    {
        await using var client = await RawWebSocketClient.OpenAsync(server.Port);

        await client.SendTextAsync(Request("GET", "/healthz", ""));

        var head = await client.ReadHttpHeadAsync();
        Assert.Equal(200, head.StatusCode);
        await client.ReadToEndAsync();
    }

    [Fact]
    public async Task Unknown_path_without_upgrade_gets_404()
        => await AssertStatusAsync(Request("GET", "/no/such/path", ""), 404);

    [Fact]
    public async Task Chat_path_without_upgrade_gets_426()
        => await AssertStatusAsync(Request("GET", "/some-user", ""), 426);

    [Fact]
    public async Task Oversized_request_head_gets_431()
    {
        var filler = new StringBuilder();
        for (var i = 0; i < 100; i++)
        {
            filler.Append("X-Filler-").Append(i).Append(": ").Append('a', 100).Append("\r\n");
        }

        await AssertStatusAsync(Request("GET", "/echo", $"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {Key}\r\nSec-WebSocket-Version: 13\r\n{filler}"), 431);
    }

    [Fact]
    public async Task Client_that_sends_half_a_request_head_is_disconnected_after_the_handshake_timeout()
    {
        await using var client = await RawWebSocketClient.OpenAsync(server.Port, TimeSpan.FromSeconds(10));

        await client.SendTextAsync($"GET /echo HTTP/1.1\r\nHost: 127.0.0.1:{server.Port}\r\nUpgrade: websocket\r\n");

        // Whatever the server says (a 408, or nothing), it must end the connection: a deadline, not a hang.
        await client.ReadToEndAsync();
    }

    private async Task<HttpResponseHead> AssertStatusAsync(string request, int status)
    {
        await using var client = await RawWebSocketClient.OpenAsync(server.Port);

        await client.SendTextAsync(request);

        var head = await client.ReadHttpHeadAsync();
        Assert.True(head.StatusCode == status, $"expected {status}, got \"{head.StatusLine}\"");
        return head;
    }

    private string Request(string method, string target, string headers)
        => $"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{server.Port}\r\n{headers}\r\n";
}
