using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using System.Security.Cryptography.X509Certificates;
using PipeChat.LoadTest;
using PipeChat.LoadTest.Metrics;
using PipeChat.LoadTest.Options;
using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.LoadTest;

/// <summary>
/// CI smoke for perf/PipeChat.LoadTest: every scenario for about a second with small counts
/// against an in-process server, so the tool keeps building and its bookkeeping stays right.
/// These check counts and files, never speed.
/// </summary>
public sealed class LoadTestSmokeTests : IDisposable
{
    private readonly string _reports = Path.Combine(Path.GetTempPath(), "pipechat-loadtest-smoke-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_reports))
        {
            Directory.Delete(_reports, recursive: true);
        }
    }

    [Fact]
    public async Task Fanout_delivers_every_message_to_every_member_in_order_and_writes_the_report()
    {
        // Open loop, each sender is paced by its own copy only: on a contended machine the other
        // members (read in this process) can fall past the default 256 KiB and be closed as slow
        // consumers, which is the server's policy (Chat/LifecycleTests), not what this test checks;
        // nor is thinning (skipping messages for members that fall behind), so it is off.
        await using var server = await TestServer.StartAsync("--rate-limit-per-second", "0", "--max-queued-bytes", "16777216", "--thin-after-bytes", "0");
        var result = await RunAsync(server, "fanout", "--rooms", "2", "--members", "20", "--senders", "2", "--window", "8");

        AssertCleanDelivery(result, connections: 40);
        Assert.Equal(result.Counters.Sent * 20, result.Counters.Expected);
        AssertReportWritten(result);
    }

    [Fact]
    public async Task Fanout_with_deflate_decompresses_chat_text_and_loses_nothing()
    {
        // The window paces each sender by its own copy only: on a contended machine the other
        // members (decompressing in this process) can fall behind it past the default 256 KiB
        // (and past the thinning limit: off here, this test checks that nothing is lost).
        await using var server = await TestServer.StartAsync("--rate-limit-per-second", "0", "--max-queued-bytes", "16777216", "--thin-after-bytes", "0");
        var result = await RunAsync(server, "fanout", "--members", "20", "--senders", "2", "--window", "8", "--payload", "600", "--chat-text", "--deflate");

        AssertCleanDelivery(result, connections: 20);
    }

    [Fact]
    public async Task Deflate_run_fails_its_connections_when_the_server_declines()
    {
        await using var server = await TestServer.StartAsync("--rate-limit-per-second", "0", "--permessage-deflate", "false");
        var result = await RunAsync(server, "connect", "--connections", "3", "--deflate");

        Assert.Equal(3, result.Counters.ConnectFailed);
    }

    [Fact]
    public async Task Fanout_at_a_fixed_rate_sends_that_rate()
    {
        await using var server = await TestServer.StartAsync("--rate-limit-per-second", "0");
        var result = await RunAsync(server, "fanout", "--members", "10", "--rate", "200");

        AssertCleanDelivery(result, connections: 10);
        Assert.InRange(result.Counters.Sent, 50, 1_000);
    }

    [Fact]
    public async Task Private_pairs_exchange_notices_without_loss()
    {
        await using var server = await TestServer.StartAsync("--rate-limit-per-second", "0");
        var result = await RunAsync(server, "private", "--connections", "20");

        AssertCleanDelivery(result, connections: 20);
        Assert.Equal(result.Counters.Sent, result.Counters.Expected);
    }

    [Fact]
    public async Task Echo_measures_round_trips()
    {
        await using var server = await TestServer.StartAsync("--rate-limit-per-second", "0");
        var result = await RunAsync(server, "echo", "--connections", "8");

        AssertCleanDelivery(result, connections: 8);
        Assert.True(result.Latency.Count > 0);
        Assert.True(result.Latency.P50 > 0);
    }

    [Fact]
    public async Task Live_room_counts_presence_events_and_loses_nothing()
    {
        await using var server = await TestServer.StartAsync("--rate-limit-per-second", "0");
        var result = await RunAsync(server, "live", "--members", "50", "--senders", "2", "--rate", "50");

        AssertCleanDelivery(result, connections: 50);
        Assert.True(result.Counters.Presence > 0);
    }

    [Fact]
    public async Task Live_room_read_by_the_polling_receiver_loses_nothing()
    {
        await using var server = await TestServer.StartAsync("--rate-limit-per-second", "0");
        var result = await RunAsync(server, "live", "--members", "50", "--senders", "2", "--rate", "50", "--receive", "poll");

        AssertCleanDelivery(result, connections: 50);
        Assert.True(result.Counters.Presence > 0);
        Assert.Equal(0, result.Counters.Open); // every polled connection closed cleanly at the end
    }

    [Fact]
    public async Task Echo_over_the_polling_receiver_replies_from_the_receiver_thread()
    {
        await using var server = await TestServer.StartAsync("--rate-limit-per-second", "0");
        var result = await RunAsync(server, "echo", "--connections", "8", "--receive", "poll");

        AssertCleanDelivery(result, connections: 8);
        Assert.True(result.Latency.Count > 100, "closed loop stalled: " + result.Latency.Count);
    }

    [Fact]
    public async Task Churn_over_the_polling_receiver_closes_what_it_opens()
    {
        await using var server = await TestServer.StartAsync("--rate-limit-per-second", "0");
        var result = await RunAsync(server, "churn", "--rooms", "2", "--members", "5", "--rate", "100", "--churn-rate", "50", "--churn-hold-ms", "50", "--receive", "poll");

        AssertCleanDelivery(result, connections: 10);
        Assert.True(result.Counters.ChurnConnected > 0);
        Assert.Equal(0, result.Counters.ChurnFailed);
    }

    [Fact]
    public async Task Polled_connections_report_the_server_going_away()
    {
        var server = await TestServer.StartAsync("--rate-limit-per-second", "0");
        var run = RunAsync(server, "connect", "--connections", "20", "--receive", "poll", "--duration", "4");
        var sessions = server.Services.GetRequiredService<PipeChat.Server.Connections.SessionRegistry>();
        await Eventually.UntilAsync(() => sessions.Count >= 20, TimeSpan.FromSeconds(10), "the 20 connections open on the server");

        await server.DisposeAsync(); // the server's shutdown closes every connection
        var result = await run.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(20, result.Counters.Established);
        Assert.Equal(20, result.Counters.DroppedByServer);
        Assert.NotEmpty(result.Errors);
    }

    [Fact]
    public async Task Churn_connects_and_disconnects_while_the_rooms_chat()
    {
        await using var server = await TestServer.StartAsync("--rate-limit-per-second", "0");
        var result = await RunAsync(server, "churn", "--rooms", "2", "--members", "5", "--rate", "100", "--churn-rate", "50", "--churn-hold-ms", "50");

        AssertCleanDelivery(result, connections: 10);
        Assert.True(result.Counters.ChurnConnected > 0);
        Assert.Equal(0, result.Counters.ChurnFailed);
    }

    [Fact]
    public async Task Connect_holds_connections_and_reports_them()
    {
        await using var server = await TestServer.StartAsync("--rate-limit-per-second", "0");
        var result = await RunAsync(server, "connect", "--connections", "200", "--connect-rate", "2000");

        Assert.Equal(200, result.Counters.Established);
        Assert.Equal(0, result.Counters.ConnectFailed);
        Assert.Equal(0, result.Counters.DroppedByServer);
        Assert.Equal(0, result.Counters.Open);
        Assert.Equal(200, result.ConnectLatency.Count);
        AssertReportWritten(result);
    }

    [Fact]
    public async Task Connect_over_two_processes_merges_their_counts()
    {
        await using var server = await TestServer.StartAsync("--rate-limit-per-second", "0");
        var result = await RunAsync(server, "connect", "--connections", "40", "--processes", "2");

        Assert.Equal(2, result.Processes);
        Assert.Equal(40, result.Counters.Established);
        Assert.Equal(0, result.Counters.ConnectFailed);
        Assert.Equal(40, result.ConnectLatency.Count);
    }

    [Fact]
    public async Task Fanout_over_wss_delivers_every_message()
    {
        var (cert, key) = WriteSelfSignedPem();
        await using var server = await TestServer.StartAsync("--tls-cert", cert, "--tls-key", key, "--rate-limit-per-second", "0");
        var result = await RunAsync(server, "fanout", "--members", "10", "--window", "4");

        Assert.StartsWith("wss://", result.Url, StringComparison.Ordinal);
        AssertCleanDelivery(result, connections: 10);
    }

    [Theory]
    [InlineData("ws://10.0.0.1:3001/")]
    [InlineData("ws://example.com:3001/")]
    [InlineData("ws://192.168.1.2:3001/")]
    [InlineData("http://127.0.0.1:3001/")]
    public void Refuses_targets_that_are_not_loopback_websockets(string url)
    {
        Assert.False(OptionsParser.TryParse(["fanout", "--url", url], out _, out var error));
        Assert.NotNull(error);
    }

    [Theory]
    [InlineData("ws://127.0.0.1:3001/")]
    [InlineData("ws://127.0.0.9:3001/")]
    [InlineData("ws://localhost:3001/")]
    [InlineData("wss://[::1]:3001/")]
    public void Accepts_loopback_targets(string url)
        => Assert.True(OptionsParser.TryParse(["fanout", "--url", url], out _, out _));

    [Theory]
    [InlineData("connect", "--connections", "1000000")]
    [InlineData("fanout", "--members", "1000000")]
    [InlineData("connect", "--duration", "100000")]
    [InlineData("fanout", "--rate", "-1")]
    [InlineData("churn", "--churn-rate", "1000000")]
    [InlineData("connect", "--processes", "1000")]
    public void Refuses_unbounded_loops(string scenario, string option, string value)
        => Assert.False(OptionsParser.TryParse([scenario, option, value], out _, out _));

    [Theory]
    [InlineData("ws://127.0.0.1:3001/", "sometimes", "--receive must be async or poll")]
    [InlineData("wss://127.0.0.1:3001/", "poll", "--receive poll needs ws://")]
    public void Refuses_a_receive_mode_it_cannot_run(string url, string mode, string message)
    {
        Assert.False(OptionsParser.TryParse(["live", "--url", url, "--receive", mode], out _, out var error));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Hands_the_receive_mode_to_child_processes()
    {
        Assert.True(OptionsParser.TryParse(["live", "--receive", "poll", "--processes", "2"], out var options, out var error), error);
        Assert.True(options.PollReceive);
        Assert.True(OptionsParser.TryParse([.. OptionsWriter.ToArgs(options)], out var child, out error), error);
        Assert.True(child.PollReceive);
    }

    private async Task<LoadTestResult> RunAsync(TestServer server, params string[] args)
    {
        string[] all =
        [
            args[0],
            "--url", server.WebSocketUri("/").ToString(),
            "--duration", "1",
            "--drain", "3",
            "--setup-timeout", "20",
            "--report-dir", _reports,
            "--quiet",
            .. args[1..], // after the defaults, so a test may override them
        ];
        Assert.True(OptionsParser.TryParse(all, out var options, out var error), error);
        return await LoadTestRunner.RunAsync(options);
    }

    /// <summary>Every connection up, something sent and delivered, nothing lost, duplicated, reordered or refused, every delivery timed.</summary>
    internal static void AssertCleanDelivery(LoadTestResult result, int connections)
    {
        Assert.Equal(connections, result.Counters.Established);
        Assert.Equal(0, result.Counters.ConnectFailed);
        Assert.True(result.Counters.DroppedByServer == 0, "dropped by the server: " + string.Join(", ", result.Errors.Select(e => e.Key + " × " + e.Value)));
        Assert.True(result.Counters.Sent > 0, "nothing was sent");
        Assert.True(result.Counters.Delivered > 0, "nothing was delivered");
        Assert.Equal(0, result.Lost);
        Assert.Equal(0, result.Counters.Duplicated);
        Assert.Equal(0, result.Counters.OutOfOrder);
        Assert.Equal(0, result.Counters.SeqGaps);
        Assert.Empty(result.Errors);
        Assert.Equal(result.Counters.Delivered, result.Latency.Count); // every delivery was timed
    }

    private static void AssertReportWritten(LoadTestResult result)
    {
        Assert.NotNull(result.ReportFolder);
        foreach (var file in new[] { "report.md", "report.html", "summary.json", "samples.csv" })
        {
            Assert.True(File.Exists(Path.Combine(result.ReportFolder!, file)), file + " missing");
        }

        var html = File.ReadAllText(Path.Combine(result.ReportFolder!, "report.html"));
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://cdn", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script src", html, StringComparison.OrdinalIgnoreCase);
        Assert.NotEmpty(result.Samples);
    }

    private (string Cert, string Key) WriteSelfSignedPem()
    {
        Directory.CreateDirectory(_reports);
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var certPath = Path.Combine(_reports, "cert.pem");
        var keyPath = Path.Combine(_reports, "key.pem");
        File.WriteAllText(certPath, cert.ExportCertificatePem());
        File.WriteAllText(keyPath, rsa.ExportPkcs8PrivateKeyPem());
        return (certPath, keyPath);
    }
}
