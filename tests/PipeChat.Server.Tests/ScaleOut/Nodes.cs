using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.ScaleOut;

/// <summary>Starting PipeChat nodes that share one Redis, and reading their HTTP endpoints.</summary>
internal static class Nodes
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Starts a node and waits until it has joined the cluster (/healthz "ok": connected and subscribed).</summary>
    public static async Task<TestServer> StartAsync(IRedisBackend redis, params string[] args)
    {
        var node = await TestServer.StartAsync(["--redis", redis.Endpoint, "--redis-presence-seconds", "2", .. args]);
        await EventuallyAsync(async () => (await GetAsync(node.Port, "/healthz")).Body == "ok\n", "node ready");
        return node;
    }

    public static async Task<TestServer[]> StartManyAsync(IRedisBackend redis, int count, params string[] args)
    {
        var nodes = new TestServer[count];
        for (var i = 0; i < count; i++)
        {
            nodes[i] = await StartAsync(redis, args);
        }

        return nodes;
    }

    public static async Task DisposeAllAsync(IEnumerable<TestServer> nodes)
    {
        foreach (var node in nodes)
        {
            await node.DisposeAsync();
        }
    }

    public static async Task<(int Status, string Body)> GetAsync(int port, string path)
    {
        using var response = await s_http.GetAsync(new Uri($"http://127.0.0.1:{port}{path}"));
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A fresh id, so tests sharing one Redis never see each other's rooms or users.</summary>
    public static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>Polls until <paramref name="condition"/> holds (things that converge: subscriptions, presence expiry).</summary>
    public static Task EventuallyAsync(Func<Task<bool>> condition, string what, double seconds = 15)
        => Eventually.UntilAsync(condition, TimeSpan.FromSeconds(seconds), what);
}
