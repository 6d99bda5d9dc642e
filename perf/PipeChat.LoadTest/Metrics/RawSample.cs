using System.Text.Json.Serialization;
using HdrHistogram;

namespace PipeChat.LoadTest.Metrics;

/// <summary>One process's state at the end of one second: cumulative counters and that second's latencies.</summary>
public sealed class RawSample
{
    public int Index { get; set; }
    public int Source { get; set; }
    public double Elapsed { get; set; }
    public string Phase { get; set; } = "";
    public CounterSnapshot Counters { get; set; } = new();
    public string? LatencyEncoded { get; set; }
    public string? ConnectEncoded { get; set; }

    [JsonIgnore]
    public HistogramBase? Latency { get; set; }

    [JsonIgnore]
    public HistogramBase? Connect { get; set; }

    /// <summary>Encodes the histograms for the trip to the parent process.</summary>
    public RawSample ForTransfer()
    {
        LatencyEncoded = Latency is null ? null : HistogramCodec.Encode(Latency);
        ConnectEncoded = Connect is null ? null : HistogramCodec.Encode(Connect);
        return this;
    }

    /// <summary>Decodes what a child process sent.</summary>
    public RawSample AfterTransfer()
    {
        Latency ??= LatencyEncoded is null ? null : HistogramCodec.Decode(LatencyEncoded);
        Connect ??= ConnectEncoded is null ? null : HistogramCodec.Decode(ConnectEncoded);
        return this;
    }
}

/// <summary>One process's totals at the end of its run.</summary>
public sealed class RawResult
{
    public CounterSnapshot Counters { get; set; } = new();
    public CounterSnapshot AtRunStart { get; set; } = new();
    public CounterSnapshot AtRunEnd { get; set; } = new();
    public Dictionary<string, long> Errors { get; set; } = [];
    public double ConnectSeconds { get; set; }
    public double SetupSeconds { get; set; }
    public double RunSeconds { get; set; }
    public double DrainSeconds { get; set; }
    public string? LatencyEncoded { get; set; }
    public string? ConnectEncoded { get; set; }

    [JsonIgnore]
    public HistogramBase Latency { get; set; } = RunCounters.NewHistogram();

    [JsonIgnore]
    public HistogramBase Connect { get; set; } = RunCounters.NewHistogram();

    public RawResult ForTransfer()
    {
        LatencyEncoded = HistogramCodec.Encode(Latency);
        ConnectEncoded = HistogramCodec.Encode(Connect);
        return this;
    }

    public RawResult AfterTransfer()
    {
        if (LatencyEncoded is not null)
        {
            Latency = HistogramCodec.Decode(LatencyEncoded);
        }

        if (ConnectEncoded is not null)
        {
            Connect = HistogramCodec.Decode(ConnectEncoded);
        }

        return this;
    }
}
