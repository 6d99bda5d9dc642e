using PipeChat.Server.Buffers;
using PipeChat.Server.Compression;
using System.Runtime.CompilerServices;
using System.Buffers;

namespace PipeChat.Server.Connections;

/// <summary>The writer half: the only code that touches the connection's PipeWriter once it is open.</summary>
internal sealed partial class WebSocketSession
{
    /// <summary>The session whose read loop is handling a receive buffer on this thread, if any.</summary>
    [ThreadStatic]
    private static WebSocketSession? t_reading;

    /// <summary>Read loop only: a drain was claimed while handling the buffer and starts once it is handled.</summary>
    private bool _drainAfterRead;

    /// <summary>
    /// Starts a drain unless one is running (which will see the new frame): on the thread pool,
    /// or, for replies this session queues for itself while its read loop handles a buffer (acks,
    /// errors, pongs, echo; not its copy of a message to a room of several, see
    /// <see cref="Rooms.FanoutScope"/>), on the read loop's thread once the whole buffer is handled:
    /// one send for everything the buffer asked for and no thread-pool hop.
    /// </summary>
    private void ScheduleWriter()
    {
        if (Interlocked.Exchange(ref _writerScheduled, 1) == 0)
        {
            if (ReferenceEquals(t_reading, this) && !Rooms.FanoutScope.IsActive)
            {
                _drainAfterRead = true;
                return;
            }

            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    /// <summary>Read loop: marks this thread as handling this session's input (see <see cref="ScheduleWriter"/>).</summary>
    private void BeginReadBatch()
    {
        if (_server.DrainRepliesOnReadThread)
        {
            t_reading = this;
        }
    }

    /// <summary>Read loop, after the buffer was handled (also when handling threw): starts the drain claimed meanwhile, here.</summary>
    private void EndReadBatch()
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
    /// Writes everything queued, flushes once, and repeats until the queue is empty. The flush
    /// is the backpressure: while the socket is full the drain waits here and producers only
    /// queue (bounded by MaxQueuedBytes).
    /// </summary>
    private async Task DrainAsync()
    {
        try
        {
            while (true)
            {
                if (_socket is { } socket)
                {
                    await SendQueuedAsync(socket);
                }
                else
                {
                    await WriteQueuedAsync();
                }

                if (Volatile.Read(ref _writesFinished) is { } finished && !_queue.HasPending(this))
                {
                    // Session end: keep ownership so no later drain touches the writer.
                    finished.TrySetResult();
                    return;
                }

                Interlocked.Exchange(ref _writerScheduled, 0);
                if ((!_queue.HasPending(this) && Volatile.Read(ref _writesFinished) is null)
                    || Interlocked.Exchange(ref _writerScheduled, 1) != 0)
                {
                    return;
                }
            }
        }
        catch (Exception)
        {
            // Transport failed: drop what is queued; the read loop will see the connection end.
            _outputBroken = true;
            Interlocked.Exchange(ref _writerScheduled, 0);
            ReleaseQueued();
            Volatile.Read(ref _writesFinished)?.TrySetResult();
        }
    }

    /// <summary>
    /// Lean transport: sends the queued shared frames themselves with gather sends of up to
    /// <see cref="FrameBatch.MaxFrames"/> frames, no copy; each frame is released once sent.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendQueuedAsync(Transport.LeanSocketConnection socket)
    {
        FrameBatch? batch = null;
        var upgrade = false;
        try
        {
            if (Volatile.Read(ref _upgradeUnsent))
            {
                // The 101 goes first, in the same gather send as the first frames.
                Volatile.Write(ref _upgradeUnsent, false);
                upgrade = true;
                batch = FrameBatch.Rent();
                batch.AddBytes(socket.Output.Unflushed);
            }

            while (TryTakeNext(out var frame, out var ownCost))
            {
                // Handed to the transport: it counts as sent for the slow-consumer limit (as bytes
                // copied into a pipe do); a batch in flight is bounded by FrameBatch.MaxBytes.
                if (ownCost != 0)
                {
                    Interlocked.Add(ref _queuedBytes, -ownCost);
                }

                if (_outputBroken)
                {
                    frame.Release();
                    continue;
                }

                batch ??= FrameBatch.Rent();
                batch.Add(frame);
                if (batch.IsFull)
                {
                    await SendBatchAsync(socket, batch);
                }
            }

            if (batch is { Count: > 0 })
            {
                await SendBatchAsync(socket, batch);
            }
        }
        finally
        {
            batch?.Return();
            if (upgrade)
            {
                socket.Output.DiscardUnflushed();
            }
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendBatchAsync(Transport.LeanSocketConnection socket, FrameBatch batch)
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
                await socket.SendAsync(only.Frame);
            }
            else
            {
                await socket.SendAsync(batch.Segments, batch.Bytes);
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
        long frames = 0, bytes = 0, cost = 0;
        var upgrade = Volatile.Read(ref _upgradeUnsent);
        if (upgrade)
        {
            // The 101 is already in the output pipe, ahead of the frames written below: one flush sends both.
            Volatile.Write(ref _upgradeUnsent, false);
        }

        while (TryTakeNext(out var frame, out var ownCost))
        {
            cost += ownCost;
            var data = frame.Frame;
            if (!_outputBroken)
            {
                _output.Write(data.Span);
            }

            frames++;
            bytes += data.Length;
            frame.Release();
        }

        if (frames > 0 || upgrade)
        {
            Interlocked.Add(ref _queuedBytes, -cost);
            if (!_outputBroken)
            {
                if (frames > 0)
                {
                    _server.Metrics.FramesOut(frames, bytes);
                }

                var flush = _output.FlushAsync();
                var flushResult = flush.IsCompletedSuccessfully ? flush.Result : await flush;
                if (flushResult.IsCompleted || flushResult.IsCanceled)
                {
                    _outputBroken = true;
                }
            }
        }
    }

    /// <summary>Session end: lets the writer send what is queued (the close frame), then releases everything.</summary>
    private async Task FinishAsync()
    {
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _writesFinished, finished);
        if (State is SessionState.Open or SessionState.Handshaking)
        {
            Volatile.Write(ref _state, (int)SessionState.Closing);
            Volatile.Write(ref _stateSince, Environment.TickCount64);
        }

        ScheduleWriter();
        try
        {
            // Bounded: the heartbeat aborts a Closing session after the close timeout, which completes the flush.
            await finished.Task;
        }
        finally
        {
            Volatile.Write(ref _state, (int)SessionState.Closed);
            ReleaseQueued();
            _sink.Reset();
            _reader.Inflater?.Reset();
            _server.Sessions.Remove(this);
            try
            {
                await _output.CompleteAsync();
                await _input.CompleteAsync();
            }
            catch (Exception)
            {
                // Already completed by the transport.
            }
        }
    }

    /// <summary>
    /// The next frame to send, referenced: a frame of the connection's own queue with what it
    /// counted against the limit (<paramref name="ownCost"/>), or a room feed's frame as this
    /// peer takes it (<paramref name="ownCost"/> 0).
    /// </summary>
    private bool TryTakeNext(out SharedFrame frame, out int ownCost)
    {
        if (!_queue.TryDequeue(this, out frame, out var fromFeed))
        {
            ownCost = 0;
            return false;
        }

        ownCost = fromFeed ? 0 : QueueCost(frame);
        if (fromFeed)
        {
            frame = ForThisPeer(frame);
        }

        return true;
    }

    /// <summary>
    /// A room frame (referenced) as this peer takes it: its compressed twin when the peer
    /// negotiated permessage-deflate and the twin exists (the reference moves to the twin).
    /// </summary>
    private SharedFrame ForThisPeer(SharedFrame frame)
    {
        if (_deflateWindowBits == 0)
        {
            return frame;
        }

        var chosen = frame.ForDeflateRecipient(_server.Deflate!, _deflateWindowBits);
        if (!ReferenceEquals(chosen, frame))
        {
            chosen.AddReference();
            frame.Release();
        }

        return chosen;
    }

    private void ReleaseQueued()
    {
        if (Volatile.Read(ref _state) == (int)SessionState.Closed)
        {
            _queue.Close();
        }
        else
        {
            _queue.DropFeeds();
        }

        while (_queue.TryDequeueOwn(out var frame))
        {
            Interlocked.Add(ref _queuedBytes, -QueueCost(frame));
            frame.Release();
        }
    }
}
