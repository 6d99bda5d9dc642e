using System.Collections.Concurrent;
using HdrHistogram;

namespace PipeChat.LoadTest.Metrics;

/// <summary>
/// Everything one process counts while it runs: plain long fields bumped with Interlocked (no
/// allocation on the message path), latency recorders that are safe for concurrent writers and
/// give a fresh interval histogram every second, and errors by kind.
/// </summary>
public sealed class RunCounters
{
    /// <summary>Latencies are recorded in microseconds, up to 5 minutes, 3 significant digits.</summary>
    public const long HighestLatencyMicros = 300_000_000;

    public long ConnectAttempts;
    public long Established;
    public long ConnectFailed;
    public long Open;
    public long Closed;
    public long DroppedByServer;
    public long Sent;
    public long Expected;
    public long Delivered;
    public long Duplicated;
    public long OutOfOrder;
    public long SeqGaps;
    public long Presence;
    public long OtherMessages;
    public long ServerErrors;
    public long BytesReceived;
    public long ChurnConnected;
    public long ChurnFailed;
    public long WindowStalls;

    private readonly ConcurrentDictionary<string, long> _errors = new(StringComparer.Ordinal);

    public Recorder Latency { get; } = NewRecorder();

    public Recorder ConnectLatency { get; } = NewRecorder();

    public IReadOnlyDictionary<string, long> Errors => _errors;

    public void Error(string kind) => _errors.AddOrUpdate(kind, 1, static (_, n) => n + 1);

    public long ErrorCount => _errors.Values.Sum();

    /// <summary>Records a latency given in Stopwatch ticks.</summary>
    public static void RecordTicks(Recorder recorder, long ticks)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        var micros = (long)(ticks * s_microsPerTick);
        recorder.RecordValue(Math.Clamp(micros, 1, HighestLatencyMicros));
    }

    public static LongHistogram NewHistogram() => new(1, HighestLatencyMicros, 3);

    private static readonly double s_microsPerTick = 1_000_000.0 / System.Diagnostics.Stopwatch.Frequency;

    private static Recorder NewRecorder()
        => new(1, HighestLatencyMicros, 3, static (id, low, high, digits) => new LongConcurrentHistogram(id, low, high, digits));
}
