namespace PipeChat.LoadTest.Metrics;

/// <summary>One second of a run, merged over processes.</summary>
public sealed class Sample
{
    public double Seconds { get; set; }
    public string Phase { get; set; } = "";
    public long Open { get; set; }
    public double SentPerSecond { get; set; }
    public double DeliveredPerSecond { get; set; }
    public double ConnectsPerSecond { get; set; }
    public long Errors { get; set; }
    public long InFlight { get; set; }
    public long LatencyCount { get; set; }
    public double? P50 { get; set; }
    public double? P90 { get; set; }
    public double? P99 { get; set; }
    public double? P999 { get; set; }
    public double? Max { get; set; }
    public double? ServerRssMiB { get; set; }
    public double? ServerCpuPercent { get; set; }
    public double? ClientCpuPercent { get; set; }
}

/// <summary>Everything a run measured; what reports, compare.sh and the smoke tests read.</summary>
public sealed class LoadTestResult
{
    public string Scenario { get; set; } = "";
    public string Target { get; set; } = "";
    public string Url { get; set; } = "";
    public string Settings { get; set; } = "";
    public DateTime StartedUtc { get; set; }
    public int Processes { get; set; }
    public string Machine { get; set; } = "";

    public CounterSnapshot Counters { get; set; } = new();
    public Dictionary<string, long> Errors { get; set; } = [];
    public long Lost { get; set; }

    public double ConnectSeconds { get; set; }
    public double SetupSeconds { get; set; }
    public double RunSeconds { get; set; }
    public double DrainSeconds { get; set; }

    public long SentInRun { get; set; }
    public long DeliveredInRun { get; set; }
    public double SentPerSecond { get; set; }
    public double DeliveredPerSecond { get; set; }
    public double ConnectsPerSecond { get; set; }

    public LatencySummary Latency { get; set; } = new();
    public LatencySummary ConnectLatency { get; set; } = new();

    public long? ServerRssBaselineBytes { get; set; }
    public long? ServerRssAfterSetupBytes { get; set; }
    public long? ServerRssEndOfRunBytes { get; set; }
    public long? ServerRssPeakBytes { get; set; }
    public double? ServerRssPerConnectionBytes { get; set; }

    /// <summary>Connections open at the progress sample the marginal figure starts from.</summary>
    public long? ServerRssMarkConnections { get; set; }

    /// <summary>(RSS at the end − RSS at that sample) ÷ connections added since: memory per additional connection.</summary>
    public double? ServerRssPerConnectionMarginalBytes { get; set; }
    public long? ServerRssGrowthInRunBytes { get; set; }
    public double? ServerCpuPercentInRun { get; set; }
    public double? ClientCpuPercentInRun { get; set; }

    public List<Sample> Samples { get; set; } = [];

    /// <summary>Slow readers and malformed clients (soak, --slow-readers); null when none took part.</summary>
    public AbuseSummary? Abuse { get; set; }

    public string? ReportFolder { get; set; }
}
