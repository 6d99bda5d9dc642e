using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Conformance;

/// <summary>
/// Opening-handshake gaps: a client that sends frames right behind its upgrade request (without
/// waiting for the 101) loses nothing, and the handshake timeout is enforced close to its value.
/// </summary>
public sealed class PipelinedHandshakeTests
{
    [Theory]
    [InlineData("pipechat")]
    [InlineData("kestrel")]
    public async Task A_frame_in_the_same_write_as_the_upgrade_request_is_answered(string transport)
    {
        await using var server = await TestServer.StartAsync("--transport", transport, "--echo-path", "/echo");
        await using var client = await RawWebSocketClient.OpenAsync(server.Port);

        var (request, key) = UpgradeRequest(server.Port);
        byte[] write = [.. request, .. ClientFrames.Build(WebSocketOpcode.Text, "hello"u8)];
        await client.SendRawAsync(write);

        var head = await client.ReadHttpHeadAsync();
        Assert.Equal(101, head.StatusCode);
        Assert.Equal(RawWebSocketClient.ExpectedAccept(key), head.Headers.GetValueOrDefault("Sec-WebSocket-Accept"));
        await client.ExpectTextAsync("hello");
    }

    [Theory]
    [InlineData("pipechat")]
    [InlineData("kestrel")]
    public async Task Upgrade_ping_text_and_close_in_one_write_are_all_answered_in_order(string transport)
    {
        await using var server = await TestServer.StartAsync("--transport", transport, "--echo-path", "/echo");
        await using var client = await RawWebSocketClient.OpenAsync(server.Port);

        var (request, _) = UpgradeRequest(server.Port);
        byte[] write =
        [
            .. request,
            .. ClientFrames.Build(WebSocketOpcode.Ping, "p1"u8),
            .. ClientFrames.Build(WebSocketOpcode.Text, "pipelined"u8),
            .. ClientFrames.Build(WebSocketOpcode.Close, ClientFrames.ClosePayload(WebSocketCloseCodes.NormalClosure)),
        ];
        await client.SendRawAsync(write);

        Assert.Equal(101, (await client.ReadHttpHeadAsync()).StatusCode);
        await client.ExpectPongAsync("p1"u8.ToArray());
        await client.ExpectTextAsync("pipelined");
        var close = await client.ReceiveFrameAsync();
        Assert.NotNull(close);
        Assert.Equal(WebSocketOpcode.Close, close.Opcode);
        Assert.Equal(WebSocketCloseCodes.NormalClosure, close.CloseCode);
        await client.ExpectEndAsync();
    }

    /// <summary>
    /// Connections started at staggered moments that dribble their request one byte every half
    /// second are each dropped soon after the timeout. The staggering covers the phases of any
    /// periodic check: one that only looked once a second would drop one of them late.
    /// </summary>
    [Fact]
    public async Task A_dribbling_handshake_is_dropped_close_to_the_timeout()
    {
        const double timeoutSeconds = 4;
        await using var server = await TestServer.StartAsync("--handshake-timeout-seconds", "4");

        var connections = Enumerable.Range(0, 8).Select(async i =>
        {
            await Task.Delay(i * 125);
            return await DribbleUntilDroppedAsync(server.Port);
        }).ToArray();
        var elapsed = await Task.WhenAll(connections);

        foreach (var seconds in elapsed)
        {
            Assert.True(seconds >= timeoutSeconds - 0.05, $"dropped after {seconds:F2} s, before the {timeoutSeconds} s timeout");
            Assert.True(seconds <= timeoutSeconds + 0.6, $"dropped after {seconds:F2} s with a {timeoutSeconds} s timeout: [{string.Join(", ", elapsed.Select(s => s.ToString("F2")))}]");
        }
    }

    private static async Task<double> DribbleUntilDroppedAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var clock = Stopwatch.StartNew();
        await socket.ConnectAsync(IPAddress.Loopback, port);
        var (request, _) = UpgradeRequest(port);
        var ended = WaitForEndAsync(socket);
        for (var i = 0; i < request.Length && !ended.IsCompleted; i++)
        {
            try
            {
                await socket.SendAsync(request.AsMemory(i, 1));
            }
            catch (SocketException)
            {
                break;
            }

            await Task.WhenAny(ended, Task.Delay(500));
        }

        Assert.True(ended.IsCompleted, "the whole request was sent before the server dropped the connection");
        return await ended;

        async Task<double> WaitForEndAsync(Socket s)
        {
            var buffer = new byte[256];
            try
            {
                while (await s.ReceiveAsync(buffer) > 0)
                {
                }
            }
            catch (SocketException)
            {
            }

            return clock.Elapsed.TotalSeconds;
        }
    }

    private static (byte[] Request, string Key) UpgradeRequest(int port)
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var text = $"GET /echo HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
        return (Encoding.ASCII.GetBytes(text), key);
    }
}
