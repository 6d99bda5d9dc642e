using PipeChat.LoadTest;
using PipeChat.LoadTest.Metrics;
using PipeChat.LoadTest.Options;
using PipeChat.Server.Tests.Api;
using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.LoadTest;

/// <summary>CI smoke for the load tool's api scenario (API publishes into a room of WebSocket members): counts, never speed.</summary>
public sealed class ApiLoadSmokeTests : IDisposable
{
    private readonly string _reports = Path.Combine(Path.GetTempPath(), "pipechat-loadtest-api-smoke-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_reports))
        {
            Directory.Delete(_reports, recursive: true);
        }
    }

    [Fact]
    public async Task Api_publishes_reach_every_member_in_seq_order_without_loss()
    {
        await using var server = await TestServer.StartAsync([.. ApiClient.ServerArgs, "--rate-limit-per-second", "0"]);
        var result = await RunAsync(server, "api", "--members", "30", "--senders", "3", "--api-key", ApiClient.Key);

        Assert.Equal(30, result.Counters.Established);
        Assert.Equal(0, result.Counters.ConnectFailed);
        Assert.True(result.Counters.Sent > 0, "no API request succeeded");
        Assert.Equal(result.Counters.Sent * 30, result.Counters.Expected);
        Assert.Equal(0, result.Lost);
        Assert.Equal(0, result.Counters.Duplicated);
        Assert.Equal(0, result.Counters.OutOfOrder);
        Assert.Equal(0, result.Counters.SeqGaps);
        Assert.Empty(result.Errors);
        Assert.Equal(result.Counters.Delivered, result.Latency.Count);
        Assert.True(File.Exists(Path.Combine(result.ReportFolder!, "summary.json")));
    }

    [Fact]
    public async Task Api_with_a_wrong_key_counts_errors_and_delivers_nothing()
    {
        await using var server = await TestServer.StartAsync([.. ApiClient.ServerArgs, "--rate-limit-per-second", "0"]);
        var result = await RunAsync(server, "api", "--members", "5", "--senders", "1", "--rate", "20", "--api-key", "not-the-key-at-all");

        Assert.Equal(0, result.Counters.Sent);
        Assert.Equal(0, result.Counters.Delivered);
        Assert.True(result.Errors.TryGetValue("api:401", out var refused) && refused > 0);
    }

    [Theory]
    [InlineData("--processes", "2")]
    [InlineData("--senders", "5000")]
    public void Api_refuses_what_it_cannot_bound(string option, string value)
        => Assert.False(OptionsParser.TryParse(["api", "--api-key", "k", option, value], out _, out _));

    [Fact]
    public void Api_needs_a_key() => Assert.False(OptionsParser.TryParse(["api"], out _, out _));

    private async Task<LoadTestResult> RunAsync(TestServer server, params string[] args)
    {
        string[] all = [.. args, "--url", server.WebSocketUri("/").ToString(), "--api-url", server.HttpUri("/").ToString(), "--duration", "1", "--drain", "3", "--setup-timeout", "20", "--report-dir", _reports, "--quiet"];
        Assert.True(OptionsParser.TryParse(all, out var options, out var error), error);
        return await LoadTestRunner.RunAsync(options);
    }
}
