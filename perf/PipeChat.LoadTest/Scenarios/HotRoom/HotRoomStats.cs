namespace PipeChat.LoadTest.Scenarios.HotRoom;

/// <summary>
/// What the members of a hot-room run saw, per priority (0 low, 1 normal, 2 high) and per kind of
/// reader (0 full-speed, 1 throttled): messages received and a latency histogram in milliseconds
/// (send → read by the member), messages sent, skipped runs announced, members closed.
/// </summary>
internal sealed class HotRoomStats
{
    public const int MaxLatencyMs = 120_000;

    private readonly long[,] _received = new long[3, 2];
    private readonly long[][] _latency = [.. Enumerable.Range(0, 6).Select(_ => new long[MaxLatencyMs + 1])];
    private readonly long[] _sent = new long[3];
    private long _skippedEvents;
    private long _skippedMessages;
    private long _closed;
    private long _counterEvents;

    /// <summary>Only messages sent after this timestamp count (the warm-up is left out).</summary>
    public long CountFrom { get; set; } = long.MaxValue;

    public void Sent(int priority, long sentAt)
    {
        if (sentAt >= CountFrom)
        {
            Interlocked.Increment(ref _sent[priority]);
        }
    }

    public void Received(int priority, bool throttled, long sentAt, long now)
    {
        if (sentAt < CountFrom)
        {
            return;
        }

        var kind = throttled ? 1 : 0;
        Interlocked.Increment(ref _received[priority, kind]);
        var ms = (long)((now - sentAt) * 1000.0 / System.Diagnostics.Stopwatch.Frequency);
        Interlocked.Increment(ref _latency[(priority * 2) + kind][Math.Clamp(ms, 0, MaxLatencyMs)]);
    }

    public void Skipped(long count)
    {
        Interlocked.Increment(ref _skippedEvents);
        Interlocked.Add(ref _skippedMessages, count);
    }

    public void Counter() => Interlocked.Increment(ref _counterEvents);

    public void Closed() => Interlocked.Increment(ref _closed);

    public long SentCount(int priority) => Volatile.Read(ref _sent[priority]);

    public long ReceivedCount(int priority, int kind) => Volatile.Read(ref _received[priority, kind]);

    public long SkippedEvents => Volatile.Read(ref _skippedEvents);

    public long SkippedMessages => Volatile.Read(ref _skippedMessages);

    public long ClosedCount => Volatile.Read(ref _closed);

    public long CounterEvents => Volatile.Read(ref _counterEvents);

    /// <summary>The latency (ms) at <paramref name="quantile"/> of priority and reader kind; -1 when nothing was received.</summary>
    public long Percentile(int priority, int kind, double quantile)
    {
        var histogram = _latency[(priority * 2) + kind];
        long total = 0;
        foreach (var n in histogram)
        {
            total += n;
        }

        if (total == 0)
        {
            return -1;
        }

        var target = (long)Math.Ceiling(total * quantile);
        long seen = 0;
        for (var ms = 0; ms < histogram.Length; ms++)
        {
            seen += histogram[ms];
            if (seen >= target)
            {
                return ms;
            }
        }

        return MaxLatencyMs;
    }
}
