using Microsoft.Extensions.Logging.Abstractions;
using PipeChat.Server.Diagnostics;
using PipeChat.Server.Hosting;

namespace PipeChat.Server.Tests.Diagnostics;

/// <summary>When <c>--trim-after-connects</c> collects: once per settled burst, never while busy.</summary>
public sealed class MemoryTrimTests
{
    private static MemoryTrim Create(int burst, ServerMetrics metrics) => new(burst, metrics, NullLogger.Instance);

    [Fact]
    public void Trims_once_after_a_burst_once_the_node_has_been_quiet_for_the_settle_time()
    {
        using var metrics = new ServerMetrics();
        var trim = Create(1000, metrics);
        var collections = 0;
        void Collect() => collections++;

        Assert.False(trim.OnTick(0, accepted: 0, traffic: 0, open: 0, Collect));
        Assert.False(trim.OnTick(1000, accepted: 600, traffic: 600, open: 600, Collect));
        Assert.False(trim.OnTick(2000, accepted: 1200, traffic: 1200, open: 1200, Collect)); // the burst is complete: the quiet window starts
        Assert.False(trim.OnTick(3000, accepted: 1200, traffic: 1200, open: 1200, Collect));
        Assert.True(trim.OnTick(4000, accepted: 1205, traffic: 1300, open: 1205, Collect)); // a few connects and frames do not count as busy
        Assert.Equal(1, collections);

        // Quiet from then on: no second trim until another burst.
        for (var t = 5000; t < 20_000; t += 1000)
        {
            Assert.False(trim.OnTick(t, accepted: 1205, traffic: 1300, open: 1205, Collect));
        }

        Assert.False(trim.OnTick(20_000, accepted: 2300, traffic: 2400, open: 2300, Collect));
        Assert.False(trim.OnTick(21_000, accepted: 2300, traffic: 2400, open: 2300, Collect));
        Assert.True(trim.OnTick(22_000, accepted: 2300, traffic: 2400, open: 2300, Collect));
        Assert.Equal(2, collections);
        Assert.Equal(2, trim.Trims);
    }

    [Fact]
    public void Never_trims_while_connects_keep_coming()
        // Churn: 200 connects a second (more than 1 % of the burst per window).
        => AssertNeverTrims(t => (Accepted: t / 5, Traffic: 0, Open: 500));

    [Fact]
    public void Never_trims_while_messages_flow()
        // A 2,000-member room at 1 message a second: 2,000 frames a second for 2,000 connections.
        => AssertNeverTrims(t => (Accepted: 2000, Traffic: 2L * t, Open: 2000));

    /// <summary>A minute of heartbeats (a burst of 1,000) with the counters <paramref name="at"/> gives: no collection.</summary>
    private static void AssertNeverTrims(Func<long, (long Accepted, long Traffic, long Open)> at)
    {
        using var metrics = new ServerMetrics();
        var trim = Create(1000, metrics);
        var collections = 0;
        for (var t = 0L; t < 60_000; t += 1000)
        {
            var (accepted, traffic, open) = at(t);
            Assert.False(trim.OnTick(t, accepted, traffic, open, () => collections++));
        }

        Assert.Equal(0, collections);
    }

    [Fact]
    public void Off_when_zero()
    {
        using var metrics = new ServerMetrics();
        var trim = Create(0, metrics);
        for (var t = 0; t < 10_000; t += 1000)
        {
            Assert.False(trim.OnTick(t, accepted: 100_000, traffic: 0, open: 100_000, () => Assert.Fail("collected")));
        }
    }

    [Fact]
    public void The_real_collection_runs_and_reports()
    {
        using var metrics = new ServerMetrics();
        var trim = Create(1, metrics);
        metrics.ConnectionAccepted();
        Assert.False(trim.OnTick(0));
        Assert.False(trim.OnTick(MemoryTrim.SettleMs / 2));
        var collections = GC.CollectionCount(GC.MaxGeneration);
        Assert.True(trim.OnTick(MemoryTrim.SettleMs));
        Assert.True(GC.CollectionCount(GC.MaxGeneration) > collections);
    }
    [Theory]
    [InlineData("-1")]
    [InlineData("many")]
    public void A_bad_value_stops_start_up_naming_the_setting(string value)
    {
        var error = Assert.Throws<ConfigurationException>(() => PipeChatHost.Build(["--port", "0", "--trim-after-connects", value]));

        Assert.Contains("--trim-after-connects", error.Message, StringComparison.Ordinal);
    }
}
