using System.Net.Sockets;
using PipeChat.Server.Hosting;
using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Limits;

/// <summary>--trusted-proxies: behind a proxy the per-address cap counts the forwarded client, and only a trusted peer's headers are read.</summary>
public sealed class TrustedProxyTests
{
    /// <summary>Upgrades a fresh connection from 127.0.0.1 with the given extra headers; the client when accepted (kept open), null when dropped.</summary>
    private static async Task<RawWebSocketClient?> TryUpgradeAsync(TestServer server, string user, string headers, List<RawWebSocketClient> kept)
    {
        var client = await RawWebSocketClient.OpenAsync(server.Port);
        kept.Add(client);
        try
        {
            var head = await client.UpgradeAsync("/" + user, headers);
            return head.StatusCode == 101 ? client : null;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or SocketException)
        {
            return null; // dropped without an answer: the way the per-address cap refuses
        }
    }

    private static async Task<bool[]> UpgradeAllAsync(TestServer server, List<RawWebSocketClient> kept, params string[] headers)
    {
        var results = new bool[headers.Length];
        for (var i = 0; i < headers.Length; i++)
        {
            results[i] = await TryUpgradeAsync(server, $"user{i}", headers[i], kept) is not null;
        }

        return results;
    }

    private static async Task DisposeAllAsync(List<RawWebSocketClient> kept)
    {
        foreach (var client in kept)
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_the_cap_counts_each_forwarded_client()
    {
        await using var server = await TestServer.StartAsync("--trusted-proxies", "127.0.0.1", "--max-connections-per-ip", "2");
        var kept = new List<RawWebSocketClient>();
        try
        {
            var results = await UpgradeAllAsync(server, kept,
                "X-Forwarded-For: 203.0.113.1\r\n",
                "X-Forwarded-For: 198.51.100.9, 203.0.113.2\r\n",
                "X-Real-IP: 203.0.113.3\r\n");
            Assert.Equal([true, true, true], results);
        }
        finally
        {
            await DisposeAllAsync(kept);
        }
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_the_third_connection_of_one_forwarded_client_is_dropped()
    {
        await using var server = await TestServer.StartAsync("--trusted-proxies", "127.0.0.1", "--max-connections-per-ip", "2");
        var kept = new List<RawWebSocketClient>();
        try
        {
            // The client made up the left entry; nginx appended the address it saw.
            var results = await UpgradeAllAsync(server, kept,
                "X-Forwarded-For: 203.0.113.1\r\n",
                "X-Forwarded-For: 1.1.1.1, 203.0.113.1\r\n",
                "X-Forwarded-For: 2.2.2.2, 203.0.113.1\r\n",
                "X-Forwarded-For: 203.0.113.2\r\n");
            Assert.Equal([true, true, false, true], results);
        }
        finally
        {
            await DisposeAllAsync(kept);
        }
    }

    [Theory]
    [InlineData()]
    [InlineData("--trusted-proxies", "10.0.0.0/8")]
    public async Task Headers_from_an_untrusted_peer_change_nothing(params string[] args)
    {
        await using var server = await TestServer.StartAsync([.. args, "--max-connections-per-ip", "2"]);
        var kept = new List<RawWebSocketClient>();
        try
        {
            var results = await UpgradeAllAsync(server, kept,
                "X-Forwarded-For: 203.0.113.1\r\n",
                "X-Forwarded-For: 203.0.113.2\r\n",
                "X-Real-IP: 203.0.113.3\r\n");
            Assert.Equal([true, true, false], results);
        }
        finally
        {
            await DisposeAllAsync(kept);
        }
    }

    [Fact]
    public async Task A_trusted_peer_with_unusable_headers_counts_as_itself()
    {
        await using var server = await TestServer.StartAsync("--trusted-proxies", "127.0.0.1", "--max-connections-per-ip", "2");
        var kept = new List<RawWebSocketClient>();
        try
        {
            var results = await UpgradeAllAsync(server, kept,
                "X-Forwarded-For: 203.0.113.1:5555\r\n",
                "X-Real-IP: nonsense\r\n",
                "",
                "X-Forwarded-For: 203.0.113.1\r\n");
            Assert.Equal([true, true, false, true], results);
        }
        finally
        {
            await DisposeAllAsync(kept);
        }
    }

    [Fact]
    public async Task A_repeated_forwarded_for_line_is_unusable()
    {
        // nginx sends one line; a second one could be the client's own, so the proxy's address counts.
        await using var server = await TestServer.StartAsync("--trusted-proxies", "127.0.0.1", "--max-connections-per-ip", "2");
        var kept = new List<RawWebSocketClient>();
        try
        {
            var results = await UpgradeAllAsync(server, kept,
                "X-Forwarded-For: 203.0.113.1\r\nX-Forwarded-For: 203.0.113.2\r\n",
                "X-Forwarded-For: 203.0.113.3\r\nX-Forwarded-For: 203.0.113.4\r\n",
                "X-Real-IP: 127.0.0.1\r\n",
                "X-Forwarded-For: 203.0.113.2\r\n");
            Assert.Equal([true, true, false, true], results);
        }
        finally
        {
            await DisposeAllAsync(kept);
        }
    }

    [Theory]
    [InlineData("nginx")]
    [InlineData("127.0.0.1,10.0.0.0/33")]
    [InlineData("10.0.0.1/8")]
    public void A_bad_list_stops_start_up_naming_the_setting(string value)
    {
        var error = Assert.Throws<ConfigurationException>(() => PipeChatHost.Build(["--port", "0", "--trusted-proxies", value]));

        Assert.Contains("--trusted-proxies", error.Message, StringComparison.Ordinal);
    }
}
