using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Connections;
using PipeChat.Server.Buffers;
using PipeChat.Server.Compression;
using PipeChat.Server.Rooms;
using PipeChat.Server.Transport;

namespace PipeChat.Server.Connections;

/// <summary>
/// The only code that writes to an open connection (the base of the session object, so a
/// connection is still one object): takes what its <see cref="OutboundQueue"/>
/// holds (own frames and room feed frames, merged in order) and sends it, with gather sends of the
/// shared frames themselves when the transport offers <see cref="IDirectSocketFeature"/>, or
/// copied into the output pipe with one flush per batch otherwise. It runs only when there is
/// something to send (a thread-pool work item, or the read loop's thread for replies), so an idle
/// connection holds no task and no buffer.
/// </summary>
internal abstract class OutboundWriter : IThreadPoolWorkItem
{
    /// <summary>The writer whose connection's read loop is handling a receive buffer on this thread, if any.</summary>
    [ThreadStatic]
    private static OutboundWriter? t_reading;

    private protected readonly ConnectionContext _connection;
    private protected readonly ServerContext _server;
    private protected readonly OutboundQueue _queue;
    private readonly IRoomMember _member;

    /// <summary>The lean transport's direct socket access (gather sends; the read side's zero-byte wait), or null on pipe transports.</summary>
    private protected readonly IDirectSocketFeature? _direct;
    private readonly PipeWriter _output;
    private int _scheduled;
    private TaskCompletionSource? _finished;
    private volatile bool _broken;

    /// <summary>The upgrade response is written to the output but not sent yet: the first send carries it.</summary>
    private volatile bool _upgradeUnsent;

    /// <summary>Read loop only: a drain was claimed while handling the buffer and starts once it is handled.</summary>
    private bool _drainAfterRead;

    private protected OutboundWriter(ConnectionContext connection, ServerContext server)
    {
        _connection = connection;
        _server = server;
        _member = (IRoomMember)this; // the connection built on this writer is the room member whose feed cursors it reads
        _queue = new OutboundQueue(
            server.Options.MaxQueuedBytes,
            server.Options.ThinAfterBytes > 0 ? server.Options.ThinAfterBytes : long.MaxValue,
            server.Metrics.Priorities);
        _direct = connection.Features.Get<IDirectSocketFeature>();
        _output = connection.Transport.Output;
    }

    /// <summary>True when frames go straight to the socket (the lean transport without TLS).</summary>
    internal bool SendsDirect => _direct is not null;

    /// <summary>The largest permessage-deflate window the peer accepts; 0 when not negotiated (room frames then go plain).</summary>
    private protected int DeflateWindowBits { get; set; }

    /// <summary>The handshake left the 101 in the output: the next send carries it ahead of the first frames.</summary>
    private protected void UpgradeWritten()
    {
        _upgradeUnsent = true;
    }

    /// <summary>After the application's OnOpen: the 101 must go out even when OnOpen queued nothing.</summary>
    private protected void FlushUpgrade()
    {
        if (_upgradeUnsent)
        {
            ScheduleWriter();
        }
    }

    /// <summary>
    /// Starts a drain unless one is running (which will see the new frame): on the thread pool,
    /// or, for replies this connection queues for itself while its read loop handles a buffer
    /// (acks, errors, pongs, echo; not its copy of a message to a room of several, see
    /// <see cref="FanoutScope"/>), on the read loop's thread once the whole buffer is handled:
    /// one send for everything the buffer asked for and no thread-pool hop.
    /// </summary>
    private protected void ScheduleWriter()
    {
        if (Interlocked.Exchange(ref _scheduled, 1) == 0)
        {
            if (ReferenceEquals(t_reading, this) && !FanoutScope.IsActive)
            {
                _drainAfterRead = true;
                return;
            }

            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    /// <summary>Read loop: marks this thread as handling this connection's input (see <see cref="ScheduleWriter"/>).</summary>
    private protected void BeginReadBatch()
    {
        t_reading = this;
    }

    /// <summary>Read loop, after the buffer was handled (also when handling threw): starts the drain claimed meanwhile, here.</summary>
    private protected void EndReadBatch()
    {
        t_reading = null;
        if (_drainAfterRead)
        {
            _drainAfterRead = false;

            // Completes synchronously when the socket takes the bytes at once (the usual case);
            // otherwise it goes on asynchronously like any drain, and the read loop reads on.
            _ = DrainAsync();
        }
    }

    void IThreadPoolWorkItem.Execute() => _ = DrainAsync();

    /// <summary>
    /// Session end: lets the writer send what is queued (the close frame), then releases
    /// everything. Bounded: the heartbeat aborts a closing session after the close timeout, which
    /// ends a send that waits.
    /// </summary>
    private protected async Task FinishWritesAsync()
    {
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _finished, finished);
        ScheduleWriter();
        await finished.Task;
    }

    /// <summary>Drops what is still queued; <paramref name="ended"/>: the connection is over and no feed may be joined again.</summary>
    private protected void ReleaseQueued(bool ended)
    {
        if (ended)
        {
            _queue.Close();
        }
        else
        {
            _queue.DropFeeds();
        }

        while (_queue.TryDequeueOwn(out var frame))
        {
            frame.Release();
        }
    }

    /// <summary>
    /// Writes everything queued, sends or flushes, and repeats until the queue is empty. The send
    /// is the backpressure: while the socket is full the drain waits here and producers only
    /// queue (bounded by the queue's limit).
    /// </summary>
    private async Task DrainAsync()
    {
        try
        {
            while (true)
            {
                if (_direct is { } direct)
                {
                    await SendQueuedAsync(direct);
                }
                else
                {
                    await WriteQueuedAsync();
                }

                if (Volatile.Read(ref _finished) is { } finished && !_queue.HasPending(_member))
                {
                    // Session end: keep ownership so no later drain touches the output.
                    finished.TrySetResult();
                    return;
                }

                Interlocked.Exchange(ref _scheduled, 0);
                if ((!_queue.HasPending(_member) && Volatile.Read(ref _finished) is null)
                    || Interlocked.Exchange(ref _scheduled, 1) != 0)
                {
                    return;
                }
            }
        }
        catch (Exception ex)
        {
            // The transport failed (the read loop will see the connection end), or a bug: drop what is queued.
            if (!ConnectionErrors.Is(ex))
            {
                SessionLog.WriterFailed(_server.Logger, ex, _connection.ConnectionId);
            }

            _broken = true;
            Interlocked.Exchange(ref _scheduled, 0);
            ReleaseQueued(ended: false);
            Volatile.Read(ref _finished)?.TrySetResult();
        }
    }

    /// <summary>
    /// Direct sends: the queued shared frames themselves go out with gather sends of up to
    /// <see cref="FrameBatch.MaxFrames"/> frames, no copy; each frame is released once sent.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendQueuedAsync(IDirectSocketFeature direct)
    {
        FrameBatch? batch = null;
        var upgrade = false;
        try
        {
            if (_upgradeUnsent)
            {
                // The 101 goes first, in the same gather send as the first frames.
                _upgradeUnsent = false;
                upgrade = true;
                batch = FrameBatch.Rent();
                batch.AddBytes(direct.UnflushedOutput);
            }

            while (TryTakeNext(out var frame))
            {
                if (_broken)
                {
                    frame.Release();
                    continue;
                }

                batch ??= FrameBatch.Rent();
                batch.Add(frame);
                if (batch.IsFull)
                {
                    await SendBatchAsync(direct, batch);
                }
            }

            if (batch is { Count: > 0 })
            {
                await SendBatchAsync(direct, batch);
            }
        }
        finally
        {
            batch?.Return();
            if (upgrade)
            {
                direct.DiscardUnflushedOutput();
            }
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendBatchAsync(IDirectSocketFeature direct, FrameBatch batch)
    {
        // Counted when handed to the socket (a peer may read the frame before the send completes
        // here); the upgrade response riding along in the first batch is not a frame.
        var other = batch.OtherBytes;
        var frames = other > 0 ? batch.Count - 1 : batch.Count;
        if (frames > 0)
        {
            _server.Metrics.FramesOut(frames, batch.Bytes - other);
        }

        try
        {
            if (batch.Count == 1 && batch.First is { } only)
            {
                await direct.SendAsync(only.Frame);
            }
            else
            {
                await direct.SendAsync(batch.Segments, batch.Bytes);
            }
        }
        finally
        {
            batch.ReleaseFrames();
        }
    }

    /// <summary>Pipe transports (TLS, Kestrel's sockets): copies the queued frames into the output pipe and flushes once.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteQueuedAsync()
    {
        long frames = 0, bytes = 0;

        // The 101 is already in the output pipe, ahead of the frames written below: one flush sends both.
        var upgrade = _upgradeUnsent;
        _upgradeUnsent = false;
        while (TryTakeNext(out var frame))
        {
            var data = frame.Frame;
            if (!_broken)
            {
                _output.Write(data.Span);
            }

            frames++;
            bytes += data.Length;
            frame.Release();
        }

        if ((frames > 0 || upgrade) && !_broken)
        {
            if (frames > 0)
            {
                _server.Metrics.FramesOut(frames, bytes);
            }

            var flush = _output.FlushAsync();
            var flushResult = flush.IsCompletedSuccessfully ? flush.Result : await flush;
            if (flushResult.IsCompleted || flushResult.IsCanceled)
            {
                _broken = true;
            }
        }
    }

    /// <summary>The next frame to send, referenced: the connection's own or a room feed's as this peer takes it.</summary>
    private bool TryTakeNext(out SharedFrame frame)
    {
        if (!_queue.TryDequeue(_member, out frame, out var fromFeed))
        {
            return false;
        }

        if (fromFeed && DeflateWindowBits != 0)
        {
            frame = CompressedTwin(frame);
        }

        return true;
    }

    /// <summary>
    /// A room frame (referenced) as a peer that negotiated permessage-deflate takes it: its
    /// compressed twin when the twin exists (the reference moves to the twin).
    /// </summary>
    private SharedFrame CompressedTwin(SharedFrame frame)
    {
        var chosen = frame.ForDeflateRecipient(_server.Deflate!, DeflateWindowBits);
        if (!ReferenceEquals(chosen, frame))
        {
            chosen.AddReference();
            frame.Release();
        }

        return chosen;
    }
}
