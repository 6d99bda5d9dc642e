using Microsoft.Extensions.Logging;

namespace PipeChat.Server.Diagnostics;

/// <summary>
/// Returns memory to the OS once a burst of connects has settled (<c>--trim-after-connects</c>).
/// A burst allocates faster than the non-compacting young collections can keep the heap dense:
/// they leave free space inside the regions they promote into, and those regions stay committed and
/// resident while the connections sit idle. After
/// at least <c>burstConnections</c> accepts since the last trim, once the node has been quiet for
/// <see cref="SettleMs"/> (few new connections, little traffic), one blocking compacting collection
/// in the runtime's documented "aggressive" mode compacts the heap and decommits the free space.
/// It pauses the process for a full-heap compaction (its length grows with the live heap), so it runs
/// only while nothing is being delivered; a node that never goes quiet is never trimmed. The memory
/// it returns and the pause it costs are measured in docs/performance.md ("Runtime settings and their measured effect").
/// </summary>
internal sealed class MemoryTrim(int burstConnections, ServerMetrics metrics, ILogger logger)
{
    /// <summary>How long the node must stay quiet before the trim.</summary>
    internal const long SettleMs = 2_000;

    private long _acceptedAtTrim;
    private long _windowStart = long.MinValue;
    private long _acceptedAtWindow;
    private long _trafficAtWindow;
    private int _running;

    /// <summary>Collections run so far.</summary>
    public int Trims { get; private set; }

    /// <summary>Called by the heartbeat (about once a second); true when it trimmed.</summary>
    public bool OnTick(long now)
    {
        // Timer callbacks can overlap when one runs long (a slow heartbeat, the collection itself).
        if (Interlocked.Exchange(ref _running, 1) != 0)
        {
            return false;
        }

        try
        {
            return OnTick(now, metrics.ConnectionsAccepted, metrics.MessagesIn + metrics.MessagesOut, metrics.ConnectionsOpen, Collect);
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    /// <summary>The decision, with the counters and the collection passed in (unit tests).</summary>
    internal bool OnTick(long now, long accepted, long traffic, long open, Action collect)
    {
        if (burstConnections <= 0)
        {
            return false;
        }

        if (accepted - _acceptedAtTrim < burstConnections || _windowStart == long.MinValue)
        {
            Restart(now, accepted, traffic);
            return false;
        }

        // Quiet: at most 1 % of a burst connected, and frames in + out averaged at most one per
        // four open connections per second (an idle node's pings and pongs stay well under it).
        var elapsed = now - _windowStart;
        var connectsAllowed = Math.Max(1, burstConnections / 100);
        var trafficAllowed = 100 + (open / 4 * Math.Max(elapsed, 1) / 1000);
        if (accepted - _acceptedAtWindow > connectsAllowed || traffic - _trafficAtWindow > trafficAllowed)
        {
            Restart(now, accepted, traffic);
            return false;
        }

        if (elapsed < SettleMs)
        {
            return false;
        }

        collect();
        Trims++;
        _acceptedAtTrim = accepted;
        Restart(now, accepted, traffic);
        return true;
    }

    private void Restart(long now, long accepted, long traffic)
    {
        _windowStart = now;
        _acceptedAtWindow = accepted;
        _trafficAtWindow = traffic;
    }

    private void Collect()
    {
        var committedBefore = GC.GetGCMemoryInfo().TotalCommittedBytes;
        var pausedBefore = GC.GetTotalPauseDuration();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var pause = GC.GetTotalPauseDuration() - pausedBefore;
        var info = GC.GetGCMemoryInfo(GCKind.Any);
        Log.MemoryTrimmed(logger, metrics.ConnectionsOpen, pause.TotalMilliseconds, committedBefore >> 20, info.TotalCommittedBytes >> 20, info.HeapSizeBytes >> 20);
    }
}
