using Microsoft.AspNetCore.Connections;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Buffers;
using PipeChat.Server.Compression;
using PipeChat.Server.Diagnostics;
using PipeChat.Server.Rooms;

namespace PipeChat.Server.Connections;

/// <summary>
/// The sending half of a connection, what applications and rooms call: queued sends bounded by
/// the <see cref="OutboundQueue"/> (a slow consumer is closed with 1008), room feeds, and our
/// side of the closing handshake, all handed to the writer below it (<see cref="OutboundWriter"/>).
/// It knows nothing of how the connection reads; <see cref="WebSocketSession"/> adds that on top.
/// The layers are base classes of one object, so a connection costs one object however many
/// steps it has, and each layer uses only the one below.
/// </summary>
internal abstract class SessionOutbound : OutboundWriter, IWebSocketConnection, IFeedReader
{
    private static long s_nextConnectionId;

    private protected ClosingHandshake _lifecycle;

    /// <summary>The client address the connection counts against (<c>--max-connections-per-ip</c>), also named in logs.</summary>
    private protected AddressAdmission _admission;

    private protected SessionOutbound(ConnectionContext connection, ServerContext server)
        : base(connection, server)
    {
        _lifecycle = new ClosingHandshake(Environment.TickCount64);
        ConnectionId = Interlocked.Increment(ref s_nextConnectionId);
    }

    public long ConnectionId { get; }

    public string UserId { get; private protected set; } = "";

    /// <summary>The remote endpoint, for limits and logs.</summary>
    public System.Net.EndPoint? RemoteEndPoint => _connection.RemoteEndPoint;

    /// <summary>Per-connection state owned by the application (e.g. the rooms it joined).</summary>
    public object? ApplicationState { get; set; }

    /// <summary>Bytes queued and not yet handed to the transport.</summary>
    public long QueuedBytes => _queue.QueuedBytes;

    internal SessionState State => _lifecycle.State;

    /// <summary>Queues a frame; see <see cref="IRoomMember.TrySend"/>.</summary>
    public bool TrySend(SharedFrame frame)
    {
        if (_lifecycle.State != SessionState.Open)
        {
            return false;
        }

        if (DeflateWindowBits != 0)
        {
            frame = frame.ForDeflateRecipient(_server.Deflate!, DeflateWindowBits);
        }

        // Referenced before it is queued: the writer may send and release it at once.
        frame.AddReference();
        if (!_queue.TryEnqueue(frame, out var queued))
        {
            frame.Release();
            CloseSlowConsumer(queued);
            return false;
        }

        ScheduleWriter();
        return true;
    }

    void IFeedReader.Subscribe(RoomFeed feed) => _queue.Subscribe(feed);

    void IFeedReader.Unsubscribe(RoomFeed feed)
    {
        _queue.Unsubscribe(feed);

        // The writer sends what was published before the leave and then forgets the cursor.
        ScheduleWriter();
    }

    /// <summary>A room this connection is in has a new frame: checks the limit and wakes the writer.</summary>
    bool IFeedReader.Notify(RoomFeed feed, SharedFrame frame)
    {
        if (_lifecycle.State != SessionState.Open)
        {
            return false;
        }

        if (DeflateWindowBits != 0)
        {
            // Build the compressed twin here, once, on the publishing thread (as a queued frame
            // would), so writers running in parallel do not race to build it and send it plain.
            frame.ForDeflateRecipient(_server.Deflate!, DeflateWindowBits);
        }

        // The room's unread frames are shared by every member behind, but they still count
        // against this connection's limit, as frames in its own queue do.
        var behind = _queue.LagIn(feed);
        if (behind > _queue.MaxQueuedBytes && !(_queue.Thins && _queue.ThinBehind(feed, this)))
        {
            // Without thinning: too far behind. With it: high-priority frames alone overflow the limit.
            CloseSlowConsumer(behind + _queue.QueuedBytes);
            return false;
        }

        ScheduleWriter();
        return true;
    }

    /// <summary>
    /// Starts the closing handshake from our side (once): queues a close frame and waits, within
    /// the close timeout, for the peer's close before dropping TCP. Safe from any thread.
    /// </summary>
    /// <inheritdoc/>
    public abstract void CloseAt(long tick, ScheduledClose close);

    public void RequestClose(ushort code, ReadOnlySpan<byte> reason)
    {
        if (_lifecycle.TryBeginClosing(Environment.TickCount64))
        {
            EnqueueClose(ClosingHandshake.CloseFrame(code, reason));
        }
    }

    /// <summary>Queues our close frame (taking over the caller's reference).</summary>
    private protected void EnqueueClose(SharedFrame frame)
    {
        // Room frames published from now on stay unsent; those before go out ahead of the close.
        _queue.StopFeeds();
        EnqueueControl(frame);
        frame.Release();
    }

    /// <summary>Queues a control frame regardless of the byte limit.</summary>
    private protected void EnqueueControl(SharedFrame frame)
    {
        frame.AddReference();
        _queue.Enqueue(frame);
        ScheduleWriter();
    }

    private void CloseSlowConsumer(long queuedBytes)
    {
        if (_lifecycle.State != SessionState.Open)
        {
            return;
        }

        _server.Metrics.SlowConsumer();
        Log.SlowConsumer(_server.Logger, _connection.ConnectionId, UserId, _admission.Address, queuedBytes);

        // Unread room frames are not sent to a reader being closed for falling behind (it resumes
        // from history), and its cursor no longer keeps the room's recent frames alive.
        _queue.DropFeeds();
        RequestClose(WebSocketCloseCodes.PolicyViolation, "slow consumer: outbound queue limit exceeded"u8);
    }

    private protected void Abort(string reason)
    {
        try
        {
            _connection.Abort(new ConnectionAbortedException(reason));
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
