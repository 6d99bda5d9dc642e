using System.Buffers.Text;
using System.Collections.Concurrent;
using PipeChat.Protocol.Chat;
using PipeChat.Protocol.Framing;

namespace PipeChat.Server.Rooms;

/// <summary>
/// The ordered message stream of one room id: its seq, its epoch, its history, and a lock-free
/// outbox. Senders post encoded messages and return at once; whichever sender finds the channel
/// free becomes its owner and, in queue order, stamps each message's seq (+1 per message) into
/// the slot left blank for it, seals the frame, keeps it in the history, fans it out to the room
/// and acks the sender. A join takes ownership for an instant (spinning, never blocking a
/// sender) so that adding the member and replaying the history it missed happen between two
/// messages: no gap, no duplicate. The channel outlives empty rooms, so seq and history survive
/// a room that empties for a moment; it is retired once idle past the history age.
/// </summary>
internal sealed class RoomChannel
{
    /// <summary>Messages one owner turn handles before handing the rest to the thread pool.</summary>
    private const int MaxBatch = 256;

    private readonly ConcurrentQueue<PendingRoomMessage> _pending = new();
    private readonly RoomHistory _history;
    private int _owned;
    private long _lastSeq;
    private long _lastActivity;
    private bool _retired;

    public RoomChannel(string roomId, int historySize, long historyMaxAgeMs)
    {
        RoomId = roomId;
        Epoch = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        _history = new RoomHistory(historySize, historyMaxAgeMs);
        _lastActivity = Environment.TickCount64;
    }

    public string RoomId { get; }

    /// <summary>Identifies this run of seq numbers; a new channel (history lost) has a new epoch.</summary>
    public string Epoch { get; }

    public long LastSeq => Volatile.Read(ref _lastSeq);

    /// <summary>Owner only: the kept messages.</summary>
    public RoomHistory History => _history;

    public long LastActivity => Volatile.Read(ref _lastActivity);

    /// <summary>Queues a message; if the channel is free, delivers it (and anything queued) now.</summary>
    public void Post(in PendingRoomMessage message)
    {
        _pending.Enqueue(message);
        if (TryAcquire())
        {
            DrainAndRelease();
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> as the channel's owner: no message of this room is
    /// published while it runs. Returns false, without running it, when the channel was retired
    /// (the caller fetches the room's current channel and tries again).
    /// </summary>
    public bool Exclusive<TState>(TState state, Action<RoomChannel, TState> action)
        where TState : allows ref struct
    {
        var spin = new SpinWait();
        while (!TryAcquire())
        {
            spin.SpinOnce();
        }

        try
        {
            if (_retired)
            {
                return false;
            }

            Volatile.Write(ref _lastActivity, Environment.TickCount64);
            action(this, state);
            return true;
        }
        finally
        {
            DrainAndRelease();
        }
    }

    /// <summary>Retires the channel if it is free, has no room and has been idle longer than <paramref name="maxIdleMs"/>.</summary>
    public bool TryRetire(long now, long maxIdleMs, Func<string, bool> roomExists)
    {
        if (!TryAcquire())
        {
            return false;
        }

        try
        {
            if (_retired || !_pending.IsEmpty || roomExists(RoomId) || now - LastActivity <= maxIdleMs)
            {
                return false;
            }

            _retired = true;
            _history.Clear();
            return true;
        }
        finally
        {
            DrainAndRelease();
        }
    }

    private bool TryAcquire() => Interlocked.CompareExchange(ref _owned, 1, 0) == 0;

    private void DrainAndRelease()
    {
        while (true)
        {
            var handled = 0;
            while (handled < MaxBatch && _pending.TryDequeue(out var message))
            {
                Deliver(message);
                handled++;
            }

            if (handled == MaxBatch)
            {
                // Keep ownership but give the sender's thread back: continue on the pool.
                ThreadPool.UnsafeQueueUserWorkItem(static channel => channel.DrainAndRelease(), this, preferLocal: false);
                return;
            }

            Interlocked.Exchange(ref _owned, 0);
            if (_pending.IsEmpty || !TryAcquire())
            {
                return;
            }
        }
    }

    private void Deliver(in PendingRoomMessage message)
    {
        var now = Environment.TickCount64;
        var seq = ++_lastSeq;
        Volatile.Write(ref _lastActivity, now);
        Span<byte> digits = stackalloc byte[ChatMessageWriter.SeqSlotWidth];
        Utf8Formatter.TryFormat(seq, digits, out var length);
        var frame = message.Frame;
        frame.FillSlot(message.SeqSlot, ChatMessageWriter.SeqSlotWidth, digits[..length]);
        frame.Seal(WebSocketOpcode.Text);
        _history.Trim(now);
        _history.Append(frame, seq, now);
        message.Room.Publish(frame);
        frame.Release();
        if (message.Ack is { } ack)
        {
            ack.FillSlot(message.AckSeqSlot, ChatMessageWriter.SeqSlotWidth, digits[..length]);
            ack.Seal(WebSocketOpcode.Text);
            message.Sender.TrySend(ack);
            ack.Release();
        }
    }
}
