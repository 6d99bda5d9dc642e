using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Limits;

/// <summary>Message floods and connection floods meet the configured limits (docs/security.md).</summary>
public sealed class AbuseLimitTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Message_flood_gets_rate_limited_errors_then_close_1008()
    {
        await using var server = await TestServer.StartAsync("--rate-limit-per-second", "1", "--rate-limit-burst", "5");
        using var client = new ClientWebSocket();
        using var cts = new CancellationTokenSource(s_timeout);
        await client.ConnectAsync(server.WebSocketUri("/flooder"), cts.Token);
        var ping = Encoding.UTF8.GetBytes("""{"type":"ping"}""");

        // The burst (5) is accepted, the next 4 are refused with rate_limited, the 5th refusal closes.
        for (var i = 0; i < 10; i++)
        {
            await client.SendAsync(ping, WebSocketMessageType.Text, true, cts.Token);
        }

        var types = new List<string>();
        var buffer = new byte[4096];
        while (true)
        {
            var result = await client.ReceiveAsync(buffer, cts.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                break;
            }

            using var doc = JsonDocument.Parse(buffer.AsMemory(0, result.Count));
            var type = doc.RootElement.GetProperty("type").GetString()!;
            types.Add(type == "error" ? doc.RootElement.GetProperty("data").GetProperty("code").GetString()! : type);
        }

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, client.CloseStatus);
        Assert.Equal(["welcome", "pong", "pong", "pong", "pong", "pong", "rate_limited", "rate_limited", "rate_limited", "rate_limited"], types);
    }

    [Fact]
    public async Task Requests_within_the_rate_are_all_answered()
    {
        await using var server = await TestServer.StartAsync("--rate-limit-per-second", "1000", "--rate-limit-burst", "50");
        using var client = new ClientWebSocket();
        using var cts = new CancellationTokenSource(s_timeout);
        await client.ConnectAsync(server.WebSocketUri("/steady"), cts.Token);
        var ping = Encoding.UTF8.GetBytes("""{"type":"ping"}""");
        for (var i = 0; i < 40; i++)
        {
            await client.SendAsync(ping, WebSocketMessageType.Text, true, cts.Token);
        }

        var pongs = 0;
        var buffer = new byte[4096];
        while (pongs < 40)
        {
            var result = await client.ReceiveAsync(buffer, cts.Token);
            var text = Encoding.UTF8.GetString(buffer, 0, result.Count);
            Assert.DoesNotContain("rate_limited", text, StringComparison.Ordinal);
            if (text.Contains("\"pong\"", StringComparison.Ordinal))
            {
                pongs++;
            }
        }

        Assert.Equal(WebSocketState.Open, client.State);
    }

    [Fact]
    public async Task Connections_beyond_the_per_address_cap_are_dropped_and_others_stay()
    {
        await using var server = await TestServer.StartAsync("--max-connections-per-ip", "3");
        using var cts = new CancellationTokenSource(s_timeout);
        var kept = new List<ClientWebSocket>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var client = new ClientWebSocket();
                kept.Add(client);
                await client.ConnectAsync(server.WebSocketUri($"/user{i}"), cts.Token);
            }

            using var extra = new ClientWebSocket();
            await Assert.ThrowsAnyAsync<WebSocketException>(() => extra.ConnectAsync(server.WebSocketUri("/user9"), cts.Token));

            // A plain TCP connection from the same address is dropped (reset) without a byte.
            Assert.Equal(0, await ConnectAndReadAsync(server.Port, cts.Token));

            Assert.All(kept, c => Assert.Equal(WebSocketState.Open, c.State));
            await kept[0].CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token);
            kept[0].Dispose();
            kept.RemoveAt(0);

            // A slot is free again once a connection ends (bounded retry: the server releases it as the close completes).
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    using var attemptClient = new ClientWebSocket();
                    await attemptClient.ConnectAsync(server.WebSocketUri("/user3"), cts.Token);
                    Assert.Equal(WebSocketState.Open, attemptClient.State);
                    break;
                }
                catch (WebSocketException) when (attempt < 20)
                {
                    await Task.Delay(50, cts.Token);
                }
            }
        }
        finally
        {
            foreach (var client in kept)
            {
                client.Dispose();
            }
        }
    }

    /// <summary>Bytes received before the server ended the connection (0 when it closed or reset it at once).</summary>
    private static async Task<int> ConnectAndReadAsync(int port, CancellationToken cancellationToken)
    {
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", port, cancellationToken);
            return await tcp.GetStream().ReadAsync(new byte[16], cancellationToken);
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            return 0;
        }
    }
}
