using System.Diagnostics.Metrics;

namespace PipeChat.Server.Diagnostics;

/// <summary>
/// The server's counters, kept as plain fields (one Interlocked add on the hot path) and published
/// only through System.Diagnostics.Metrics: the meter "PipeChat", read by dotnet-counters and,
/// through <see cref="PrometheusExport"/>, served as Prometheus text at /metrics on the HTTP port.
/// The exporter derives each series' name from its instrument: dots become underscores, the unit
/// (By, ms) is appended unless the name ends with it, and counters get _total.
/// </summary>
public sealed class ServerMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "PipeChat";

    private readonly Meter _meter;
    private long _connectionsAccepted;
    private long _connectionsOpen;
    private long _handshakesRefused;
    private long _messagesIn;
    private long _messagesOut;
    private long _bytesIn;
    private long _bytesOut;
    private long _protocolErrors;
    private long _slowConsumers;
    private long _deflateConnections;
    private long _compressedMessagesIn;

    public ServerMetrics()
    {
        _meter = new Meter(MeterName);
        Counter("pipechat.connections.accepted", "TCP connections accepted", () => Volatile.Read(ref _connectionsAccepted));
        Gauge("pipechat.connections.open", "WebSocket connections open", () => Volatile.Read(ref _connectionsOpen));
        Counter("pipechat.handshakes.refused", "upgrade requests refused", () => Volatile.Read(ref _handshakesRefused));
        Counter("pipechat.messages.in", "WebSocket messages received", () => Volatile.Read(ref _messagesIn));
        Counter("pipechat.messages.out", "WebSocket frames sent", () => Volatile.Read(ref _messagesOut));
        Counter("pipechat.bytes.in", "message payload bytes received", () => Volatile.Read(ref _bytesIn));
        Counter("pipechat.bytes.out", "frame bytes sent", () => Volatile.Read(ref _bytesOut));
        Counter("pipechat.protocol_errors", "connections closed for protocol violations", () => Volatile.Read(ref _protocolErrors));
        Counter("pipechat.slow_consumers.dropped", "connections closed for exceeding the outbound queue limit", () => Volatile.Read(ref _slowConsumers));
        Gauge("pipechat.queue.bytes", "outbound bytes queued over all connections", () => QueuedBytes?.Invoke() ?? 0, "By");
        Gauge("process.resident_memory.bytes", "resident set size (RSS)", () => Environment.WorkingSet, "By");
        Gauge("pipechat.gc.heap.bytes", "managed heap size after the last garbage collection", () => GC.GetGCMemoryInfo().HeapSizeBytes, "By");
        Gauge("pipechat.gc.fragmented.bytes", "free space inside the managed heap after the last collection", () => GC.GetGCMemoryInfo().FragmentedBytes, "By");
        Gauge("pipechat.gc.committed.bytes", "memory committed by the garbage collector", () => GC.GetGCMemoryInfo().TotalCommittedBytes, "By");
        Counter("pipechat.gc.collections", "garbage collections (all generations)", () => GC.CollectionCount(0));
        Counter("pipechat.gc.full_collections", "full (gen2) garbage collections", () => GC.CollectionCount(2));
        Counter("pipechat.gc.pause.milliseconds", "time the process was paused by garbage collections", () => (long)GC.GetTotalPauseDuration().TotalMilliseconds, "ms");
        Counter("pipechat.gc.allocated.bytes", "bytes allocated on the managed heap since start", () => GC.GetTotalAllocatedBytes(), "By");
        Priorities = new PriorityCounters(_meter);
        DeflateCounter("pipechat.deflate.connections", "connections that negotiated permessage-deflate", _ => Volatile.Read(ref _deflateConnections));
        DeflateCounter("pipechat.deflate.messages.in", "compressed messages received", _ => Volatile.Read(ref _compressedMessagesIn));
        DeflateCounter("pipechat.deflate.messages.compressed", "outgoing messages compressed (once each, however many recipients share the frame)", counts => counts.Compressed);
        DeflateCounter("pipechat.deflate.messages.incompressible", "outgoing messages sent plain because compression did not make them smaller", counts => counts.Incompressible);
    }

    /// <summary>Room messages per priority: published, dropped by ingress caps, skipped for members behind.</summary>
    public PriorityCounters Priorities { get; }

    /// <summary>The meter every instrument belongs to.</summary>
    public Meter Meter => _meter;

    /// <summary>Outbound bytes queued over all connections, summed when read (nothing on the hot path).</summary>
    public Func<long>? QueuedBytes { get; set; }

    /// <summary>permessage-deflate counters (messages compressed once each, sent plain because compression did not pay), when the extension is on; the deflate series are absent otherwise.</summary>
    public Func<(long Compressed, long Incompressible)>? DeflateCounts { get; set; }

    public long ConnectionsOpen => Volatile.Read(ref _connectionsOpen);

    /// <summary>TCP connections accepted so far.</summary>
    public long ConnectionsAccepted => Volatile.Read(ref _connectionsAccepted);

    /// <summary>WebSocket messages received so far.</summary>
    public long MessagesIn => Volatile.Read(ref _messagesIn);

    /// <summary>WebSocket frames sent so far.</summary>
    public long MessagesOut => Volatile.Read(ref _messagesOut);

    /// <summary>Connections closed as slow consumers since start.</summary>
    public long SlowConsumers => Volatile.Read(ref _slowConsumers);

    /// <summary>
    /// Publishes gauges a layer supplies as (Prometheus name, help, value) rows, e.g. the chat
    /// layer's rooms and users: one observable gauge per row present now, each reading its row by
    /// name whenever the meter is observed.
    /// </summary>
    public void AddGauges(Func<(string Name, string Help, long Value)[]> gauges)
    {
        foreach (var (name, help, _) in gauges())
        {
            _meter.CreateObservableGauge(name, () => ValueOf(gauges(), name), description: help);
        }
    }

    public void ConnectionAccepted() => Interlocked.Increment(ref _connectionsAccepted);

    public void ConnectionOpened() => Interlocked.Increment(ref _connectionsOpen);

    public void ConnectionClosed() => Interlocked.Decrement(ref _connectionsOpen);

    public void HandshakeRefused() => Interlocked.Increment(ref _handshakesRefused);

    public void MessageIn(long bytes)
    {
        Interlocked.Increment(ref _messagesIn);
        Interlocked.Add(ref _bytesIn, bytes);
    }

    public void FramesOut(long frames, long bytes)
    {
        Interlocked.Add(ref _messagesOut, frames);
        Interlocked.Add(ref _bytesOut, bytes);
    }

    public void ProtocolError() => Interlocked.Increment(ref _protocolErrors);

    public void SlowConsumer() => Interlocked.Increment(ref _slowConsumers);

    /// <summary>A connection negotiated permessage-deflate.</summary>
    public void DeflateNegotiated() => Interlocked.Increment(ref _deflateConnections);

    /// <summary>A compressed message arrived (counted in <see cref="MessageIn"/> too, with its decompressed size).</summary>
    public void CompressedMessageIn() => Interlocked.Increment(ref _compressedMessagesIn);

    public void Dispose() => _meter.Dispose();

    private static IEnumerable<Measurement<long>> ValueOf((string Name, string Help, long Value)[] rows, string name)
    {
        foreach (var row in rows)
        {
            if (row.Name == name)
            {
                return [new Measurement<long>(row.Value)];
            }
        }

        return [];
    }

    private void Counter(string name, string help, Func<long> read, string? unit = null)
        => _meter.CreateObservableCounter(name, read, unit, help);

    private void Gauge(string name, string help, Func<long> read, string? unit = null)
        => _meter.CreateObservableGauge(name, read, unit, help);

    private void DeflateCounter(string name, string help, Func<(long Compressed, long Incompressible), long> read)
        => _meter.CreateObservableCounter(name, () => DeflateCounts is { } counts ? [new Measurement<long>(read(counts()))] : (IEnumerable<Measurement<long>>)[], description: help);
}
