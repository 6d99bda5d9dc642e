using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace PipeChat.Server.Diagnostics;

/// <summary>
/// Counters kept as plain fields (one Interlocked add on the hot path), published through
/// System.Diagnostics.Metrics (meter "PipeChat", for dotnet-counters) and as Prometheus text at /metrics.
/// </summary>
public sealed class ServerMetrics : IDisposable
{
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
        _meter = new Meter("PipeChat");
        _meter.CreateObservableCounter("pipechat.connections.accepted", () => Volatile.Read(ref _connectionsAccepted));
        _meter.CreateObservableUpDownCounter("pipechat.connections.open", () => Volatile.Read(ref _connectionsOpen));
        _meter.CreateObservableCounter("pipechat.handshakes.refused", () => Volatile.Read(ref _handshakesRefused));
        _meter.CreateObservableCounter("pipechat.messages.in", () => Volatile.Read(ref _messagesIn));
        _meter.CreateObservableCounter("pipechat.messages.out", () => Volatile.Read(ref _messagesOut));
        _meter.CreateObservableCounter("pipechat.bytes.in", () => Volatile.Read(ref _bytesIn), "By");
        _meter.CreateObservableCounter("pipechat.bytes.out", () => Volatile.Read(ref _bytesOut), "By");
        _meter.CreateObservableCounter("pipechat.protocol_errors", () => Volatile.Read(ref _protocolErrors));
        _meter.CreateObservableCounter("pipechat.slow_consumers.dropped", () => Volatile.Read(ref _slowConsumers));
        _meter.CreateObservableUpDownCounter("pipechat.queue.bytes", () => QueuedBytes?.Invoke() ?? 0, "By");
    }

    /// <summary>Outbound bytes queued over all connections, summed when read (nothing on the hot path).</summary>
    public Func<long>? QueuedBytes { get; set; }

    /// <summary>permessage-deflate counters (messages compressed once each, sent plain because compression did not pay), when the extension is on.</summary>
    public Func<(long Compressed, long Incompressible)>? DeflateCounts { get; set; }

    /// <summary>Extra gauges (rooms, users) supplied by the chat layer.</summary>
    public Func<(string Name, string Help, long Value)[]>? ExtraGauges { get; set; }

    public long ConnectionsOpen => Volatile.Read(ref _connectionsOpen);

    /// <summary>TCP connections accepted so far.</summary>
    public long ConnectionsAccepted => Volatile.Read(ref _connectionsAccepted);

    /// <summary>WebSocket messages received so far.</summary>
    public long MessagesIn => Volatile.Read(ref _messagesIn);

    /// <summary>WebSocket frames sent so far.</summary>
    public long MessagesOut => Volatile.Read(ref _messagesOut);

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

    /// <summary>Prometheus text exposition format 0.0.4.</summary>
    public string RenderPrometheus()
    {
        var sb = new StringBuilder(2048);
        Counter(sb, "pipechat_connections_accepted_total", "TCP connections accepted", _connectionsAccepted);
        Gauge(sb, "pipechat_connections_open", "WebSocket connections open", _connectionsOpen);
        Counter(sb, "pipechat_handshakes_refused_total", "upgrade requests refused", _handshakesRefused);
        Counter(sb, "pipechat_messages_in_total", "WebSocket messages received", _messagesIn);
        Counter(sb, "pipechat_messages_out_total", "WebSocket frames sent", _messagesOut);
        Counter(sb, "pipechat_bytes_in_total", "message payload bytes received", _bytesIn);
        Counter(sb, "pipechat_bytes_out_total", "frame bytes sent", _bytesOut);
        Counter(sb, "pipechat_protocol_errors_total", "connections closed for protocol violations", _protocolErrors);
        Counter(sb, "pipechat_slow_consumers_dropped_total", "connections closed for exceeding the outbound queue limit", _slowConsumers);
        Gauge(sb, "pipechat_queue_bytes", "outbound bytes queued over all connections", QueuedBytes?.Invoke() ?? 0);
        var gc = GC.GetGCMemoryInfo();
        Gauge(sb, "process_resident_memory_bytes", "resident set size (RSS)", Environment.WorkingSet);
        Gauge(sb, "pipechat_gc_heap_bytes", "managed heap size after the last garbage collection", gc.HeapSizeBytes);
        Gauge(sb, "pipechat_gc_fragmented_bytes", "free space inside the managed heap after the last collection", gc.FragmentedBytes);
        Gauge(sb, "pipechat_gc_committed_bytes", "memory committed by the garbage collector", gc.TotalCommittedBytes);
        Counter(sb, "pipechat_gc_collections_total", "garbage collections (all generations)", GC.CollectionCount(0));
        Counter(sb, "pipechat_gc_full_collections_total", "full (gen2) garbage collections", GC.CollectionCount(2));
        Counter(sb, "pipechat_gc_pause_milliseconds_total", "time the process was paused by garbage collections", (long)GC.GetTotalPauseDuration().TotalMilliseconds);
        Counter(sb, "pipechat_gc_allocated_bytes_total", "bytes allocated on the managed heap since start", GC.GetTotalAllocatedBytes());
        if (DeflateCounts is { } deflate)
        {
            var (compressed, incompressible) = deflate();
            Counter(sb, "pipechat_deflate_connections_total", "connections that negotiated permessage-deflate", _deflateConnections);
            Counter(sb, "pipechat_deflate_messages_in_total", "compressed messages received", _compressedMessagesIn);
            Counter(sb, "pipechat_deflate_messages_compressed_total", "outgoing messages compressed (once each, however many recipients share the frame)", compressed);
            Counter(sb, "pipechat_deflate_messages_incompressible_total", "outgoing messages sent plain because compression did not make them smaller", incompressible);
        }

        if (ExtraGauges is { } extra)
        {
            foreach (var (name, help, value) in extra())
            {
                Gauge(sb, name, help, value);
            }
        }

        return sb.ToString();
    }

    public void Dispose() => _meter.Dispose();

    private static void Counter(StringBuilder sb, string name, string help, long value) => Write(sb, name, help, "counter", value);

    private static void Gauge(StringBuilder sb, string name, string help, long value) => Write(sb, name, help, "gauge", value);

    private static void Write(StringBuilder sb, string name, string help, string type, long value)
    {
        sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        sb.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        sb.Append(name).Append(' ').Append(Volatile.Read(ref value).ToString(CultureInfo.InvariantCulture)).Append('\n');
    }
}
