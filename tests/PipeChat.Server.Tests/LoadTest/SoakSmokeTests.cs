using PipeChat.LoadTest;
using PipeChat.LoadTest.Metrics;
using PipeChat.LoadTest.Options;
using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.LoadTest;

/// <summary>
/// CI smoke for the soak scenario: a few seconds against an in-process server with small limits.
/// The well-behaved rooms must lose and reorder nothing while every kind of abuse runs beside them
/// and gets the server's documented answer. Counts only, never speed.
/// </summary>
public sealed class SoakSmokeTests : IDisposable
{
    private readonly string _reports = Path.Combine(Path.GetTempPath(), "pipechat-soak-smoke-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_reports))
        {
            Directory.Delete(_reports, recursive: true);
        }
    }

    [Fact]
    public async Task Soak_keeps_well_behaved_rooms_whole_while_every_abuse_kind_gets_its_close_code_or_error()
    {
        await using var server = await TestServer.StartAsync(
            "--max-queued-bytes", "65536", "--max-message-bytes", "65536", "--max-chat-payload-bytes", "16384",
            "--close-timeout-seconds", "1", "--rate-limit-per-second", "0", "--max-connections-per-ip", "0", "--thin-after-bytes", "0");
        string[] args =
        [
            "soak", "--url", server.WebSocketUri("/").ToString(),
            "--duration", "5", "--drain", "5", "--setup-timeout", "20",
            "--rooms", "2", "--members", "10", "--senders", "1", "--rate", "200", "--payload", "500",
            "--churn-rate", "20", "--slow-readers", "10", "--slow-reader-interval", "2", "--abuse-interval", "1", "--sample-interval", "1",
            "--max-message-bytes", "65536", "--max-chat-payload-bytes", "16384",
            "--server-pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--report-dir", _reports, "--quiet",
        ];
        Assert.True(OptionsParser.TryParse(args, out var options, out var error), error);

        var result = await LoadTestRunner.RunAsync(options);

        Assert.Equal(20, result.Counters.Established);
        Assert.Equal(0, result.Counters.DroppedByServer);
        Assert.True(result.Counters.Delivered > 0, "nothing was delivered");
        Assert.Equal(0, result.Lost);
        Assert.Equal(0, result.Counters.OutOfOrder);
        Assert.Equal(0, result.Counters.Duplicated);
        Assert.Equal(0, result.Counters.SeqGaps);
        Assert.True(result.Counters.ChurnConnected > 0, "no churn");

        var abuse = Assert.IsType<AbuseSummary>(result.Abuse);
        Assert.True(abuse.SlowReadersOpened > 0, "no slow reader joined");
        Assert.Equal(abuse.SlowReadersOpened, abuse.SlowReadersClosedByServer + abuse.SlowReadersStillOpen);
        Assert.All(abuse.SlowReaderOutcomes.Keys, outcome => Assert.Contains(outcome, new[] { "open", "close:1008", "eof", "reset" }));
        foreach (var kind in new[] { "bad_json", "unmasked", "reserved_opcode", "invalid_utf8", "oversized_frame", "too_large" })
        {
            Assert.True(abuse.Attempts.GetValueOrDefault(kind) > 0, kind + " was not tried");
            Assert.Equal(abuse.Attempts[kind], abuse.AsExpected.GetValueOrDefault(kind));
        }

        Assert.True(abuse.Outcomes.ContainsKey("unmasked close:1002"));
        Assert.True(abuse.Outcomes.ContainsKey("reserved_opcode close:1002"));
        Assert.True(abuse.Outcomes.ContainsKey("invalid_utf8 close:1007"));
        Assert.True(abuse.Outcomes.ContainsKey("oversized_frame close:1009"));
        Assert.True(abuse.Outcomes.ContainsKey("too_large text")); // the text was the {"type":"error","code":"too_large"} reply
        Assert.NotEmpty(abuse.Minutes);
        Assert.All(abuse.Minutes, m => Assert.NotNull(m.ServerRssMiB));

        var html = File.ReadAllText(Path.Combine(result.ReportFolder!, "report.html"));
        Assert.Contains("Server RSS over the soak", html, StringComparison.Ordinal);
        Assert.Contains("## Soak samples", File.ReadAllText(Path.Combine(result.ReportFolder!, "report.md")), StringComparison.Ordinal);
    }

    // Thinning off in both: these check that slow readers are closed (1008) and nothing is skipped for the others.
    // A fixed rate, not open loop: on a loaded machine an open-loop sender outruns a starved reader
    // past the 256 KiB queue limit in well under a second, and the server rightly drops it.
    [Fact]
    public async Task Fanout_with_slow_readers_loses_nothing_for_the_members_that_read()
    {
        await using var server = await TestServer.StartAsync(
            "--max-queued-bytes", "262144", "--close-timeout-seconds", "1", "--rate-limit-per-second", "0", "--max-connections-per-ip", "0", "--thin-after-bytes", "0");
        string[] args =
        [
            "fanout", "--url", server.WebSocketUri("/").ToString(),
            "--duration", "2", "--drain", "5", "--setup-timeout", "20",
            "--members", "10", "--window", "8", "--rate", "400", "--payload", "500", "--slow-readers", "20",
            "--report-dir", _reports, "--quiet",
        ];
        Assert.True(OptionsParser.TryParse(args, out var options, out var error), error);

        var result = await LoadTestRunner.RunAsync(options);

        Assert.True(result.Counters.DroppedByServer == 0,
            $"{result.Counters.DroppedByServer} well-behaved members dropped; errors: {string.Join(", ", result.Errors.Select(e => e.Key + "=" + e.Value))}");
        Assert.True(result.Counters.Delivered > 0, "nothing was delivered");
        Assert.Equal(0, result.Lost);
        Assert.Equal(0, result.Counters.OutOfOrder);
        var abuse = Assert.IsType<AbuseSummary>(result.Abuse);
        Assert.Equal(20, abuse.SlowReadersOpened);
        Assert.Equal(20, abuse.SlowReadersClosedByServer + abuse.SlowReadersStillOpen);
    }

    [Theory]
    [InlineData("private", "--slow-readers", "5")]
    [InlineData("soak", "--processes", "2")]
    [InlineData("fanout", "--slow-readers", "1000000")]
    [InlineData("soak", "--abuse-interval", "0")]
    public void Refuses_abuse_settings_it_cannot_bound_or_run(string scenario, string option, string value)
        => Assert.False(OptionsParser.TryParse([scenario, option, value], out _, out _));

    [Fact]
    public void Soak_defaults_to_half_an_hour()
    {
        Assert.True(OptionsParser.TryParse(["soak"], out var options, out var error), error);
        Assert.Equal(TimeSpan.FromSeconds(1_800), options.Duration);
        Assert.True(options.SlowReaders > 0);
    }
}
