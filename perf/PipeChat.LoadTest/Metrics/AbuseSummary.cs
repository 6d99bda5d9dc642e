namespace PipeChat.LoadTest.Metrics;

/// <summary>Slow readers and malformed clients: what was tried and how the server answered (soak, --slow-readers).</summary>
public sealed class AbuseSummary
{
    public long SlowReadersOpened { get; set; }
    public long SlowReadersFailed { get; set; }

    /// <summary>Slow readers whose socket the server ended (close 1008 seen, EOF or reset) by the time they were checked.</summary>
    public long SlowReadersClosedByServer { get; set; }

    /// <summary>Slow readers still open when checked (the server had not needed to drop them yet).</summary>
    public long SlowReadersStillOpen { get; set; }

    /// <summary>"close:1008", "eof", "reset", "open" → count.</summary>
    public Dictionary<string, long> SlowReaderOutcomes { get; set; } = [];

    /// <summary>Malformed-client kind → attempts.</summary>
    public Dictionary<string, long> Attempts { get; set; } = [];

    /// <summary>"kind outcome" (e.g. "unmasked close:1002") → count.</summary>
    public Dictionary<string, long> Outcomes { get; set; } = [];

    /// <summary>Kind → attempts answered as expected (the close code or error the server must send).</summary>
    public Dictionary<string, long> AsExpected { get; set; } = [];

    public long? RssStartBytes { get; set; }
    public long? RssPeakBytes { get; set; }
    public long? RssEndBytes { get; set; }

    public List<SoakSample> Minutes { get; set; } = [];
}

/// <summary>One sampling interval (a minute by default) of a soak.</summary>
public sealed class SoakSample
{
    public double Seconds { get; set; }
    public double? ServerRssMiB { get; set; }
    public double? ServerCpuPercent { get; set; }
    public long Sent { get; set; }
    public long Delivered { get; set; }
    public long InFlight { get; set; }
    public long OutOfOrder { get; set; }
    public long Duplicated { get; set; }
    public long SeqGaps { get; set; }
    public long ChurnConnected { get; set; }
    public long SlowReadersOpened { get; set; }
    public long SlowReadersClosedByServer { get; set; }
    public long AbuseAttempts { get; set; }
    public Dictionary<string, long> Outcomes { get; set; } = [];
}
