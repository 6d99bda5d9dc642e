using System.Buffers.Text;
using System.Collections.Concurrent;
using PipeChat.Protocol.Chat;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Buffers;
using PipeChat.Server.Connections;

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
/// With a Redis backplane (docs/scale-out.md) Redis assigns seq and epoch: the channel's owner
/// then fans out, in seq order, the messages the room's subscription delivers (dropping any seq
/// already delivered), keeps the last few locally, and applies <see cref="RoomSnapshot"/>s read
/// from Redis so joins and reconnects catch up with no gap. While Redis is unreachable it stamps
/// local seqs as on a single node and remembers that it diverged.
/// </summary>
internal sealed class RoomChannel
{
    /// <summary>Messages one owner turn handles before handing the rest to the thread pool.</summary>
    private const int MaxBatch = 256;

    private readonly ConcurrentQueue<PendingRoomMessage> _pending = new();
    private readonly RoomHistory _history;
    private readonly RoomRegistry? _scaleOutRooms;
    private string _epoch;
    private int _owned;
    private long _lastSeq;
    private long _lastActivity;
    private bool _retired;

    /// <param name="scaleOutRooms">With a Redis backplane: the local rooms, to fan out what the subscription delivers.</param>
    public RoomChannel(string roomId, int historySize, long historyMaxAgeMs, RoomRegistry? scaleOutRooms = null)
    {
        RoomId = roomId;
        _epoch = NewEpoch();
        _history = new RoomHistory(historySize, historyMaxAgeMs);
        _scaleOutRooms = scaleOutRooms;
        _lastActivity = Environment.TickCount64;
    }

    public string RoomId { get; }

    /// <summary>Identifies this run of seq numbers; a new channel (history lost) has a new epoch. With Redis, the room's epoch in Redis.</summary>
    public string Epoch => Volatile.Read(ref _epoch);

    /// <summary>Owner only, Redis mode: whether <see cref="Epoch"/> came from Redis yet.</summary>
    public bool EpochKnown { get; private set; }

    /// <summary>Owner only, Redis mode: local seqs were given while Redis was unreachable.</summary>
    public bool Divergent { get; private set; }

    public static string NewEpoch() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));

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

    /// <summary>
    /// Owner only, Redis mode: brings the channel up to what Redis holds. If the epoch changed or
    /// local seqs were given during an outage, local members get a <c>reset</c> and the channel
    /// adopts Redis's numbering. Otherwise, with no local member, the channel simply moves to
    /// Redis's last seq (later copies from the subscription are dropped by seq); with local
    /// members and <paramref name="catchUp"/> (after a reconnect, when the subscription lost
    /// messages) they get the messages after the last one delivered, or a <c>reset</c> when Redis
    /// no longer keeps them all. A join into a room with local members needs nothing: the
    /// subscription has been live all along and will bring every later message.
    /// <paramref name="room"/> is the local room before any joiner is added (null when none).
    /// </summary>
    public void ApplySnapshot(RoomSnapshot snapshot, Room? room, bool catchUp)
    {
        var hasMembers = room is { MemberCount: > 0 };
        if (Divergent || (EpochKnown && !string.Equals(snapshot.Epoch, _epoch, StringComparison.Ordinal)))
        {
            Adopt(snapshot.Epoch, snapshot.LastSeq, hasMembers ? room : null);
            return;
        }

        if (!EpochKnown)
        {
            Volatile.Write(ref _epoch, snapshot.Epoch);
            EpochKnown = true;
        }

        if (!hasMembers)
        {
            if (snapshot.LastSeq > _lastSeq)
            {
                Volatile.Write(ref _lastSeq, snapshot.LastSeq);
            }

            return;
        }

        if (!catchUp || snapshot.LastSeq <= _lastSeq)
        {
            return;
        }

        var first = snapshot.Entries.Count > 0 ? snapshot.Entries[0].Seq : long.MaxValue;
        if (first > _lastSeq + 1)
        {
            // Redis no longer keeps what this node missed: members reload.
            Adopt(snapshot.Epoch, snapshot.LastSeq, room);
            return;
        }

        var now = Environment.TickCount64;
        foreach (var entry in snapshot.Entries)
        {
            if (entry.Seq != _lastSeq + 1 || entry.Seq > snapshot.LastSeq)
            {
                continue;
            }

            var frame = SharedFrame.Create(WebSocketOpcode.Text, entry.Json.Span);
            _history.Trim(now);
            _history.Append(frame, entry.Seq, now);
            room!.Publish(frame);
            frame.Release();
            Volatile.Write(ref _lastSeq, entry.Seq);
        }
    }

    /// <summary>
    /// Owner only, Redis mode, after <see cref="ApplySnapshot"/>: sends <paramref name="to"/> every
    /// message after <paramref name="since"/> up to the last one delivered here, from the snapshot
    /// and the local history, if together they hold all of them; false (nothing sent) otherwise.
    /// </summary>
    public bool TryReplay(IRoomMember to, long since, RoomSnapshot snapshot)
    {
        var last = _lastSeq;
        if (since == last)
        {
            return true;
        }

        if (since > last)
        {
            return false;
        }

        _history.Trim(Environment.TickCount64);
        var frames = new List<SharedFrame>((int)Math.Min(last - since, 1024));
        var expect = since + 1;
        foreach (var entry in snapshot.Entries)
        {
            if (entry.Seq == expect && expect <= last)
            {
                frames.Add(SharedFrame.Create(WebSocketOpcode.Text, entry.Json.Span));
                expect++;
            }
        }

        foreach (var (frame, seq) in _history.EntriesAfter(expect - 1))
        {
            if (seq == expect && expect <= last)
            {
                frame.AddReference();
                frames.Add(frame);
                expect++;
            }
        }

        var complete = expect == last + 1;
        foreach (var frame in frames)
        {
            if (complete)
            {
                to.TrySend(frame);
            }

            frame.Release();
        }

        return complete;
    }

    private void Adopt(string epoch, long lastSeq, Room? room)
    {
        Volatile.Write(ref _epoch, epoch);
        EpochKnown = true;
        Divergent = false;
        _history.Clear();
        Volatile.Write(ref _lastSeq, lastSeq);
        if (room is not null)
        {
            var reset = SharedFrame.Rent(128 + (RoomId.Length * 6) + epoch.Length);
            ChatMessageWriter.WriteReset(reset, default, RoomId, lastSeq, epoch);
            reset.Seal(WebSocketOpcode.Text);
            room.Publish(reset);
            reset.Release();
        }
    }

    private Room? LocalRoom() => _scaleOutRooms is not null && _scaleOutRooms.TryGetRoom(RoomId, out var room) ? room : null;

    private void DeliverFromBackplane(in PendingRoomMessage message)
    {
        var frame = message.Frame;
        var room = LocalRoom();
        if (!EpochKnown && !Divergent)
        {
            Volatile.Write(ref _epoch, message.Epoch!);
            EpochKnown = true;
        }
        else if (Divergent || !string.Equals(message.Epoch, _epoch, StringComparison.Ordinal))
        {
            // Redis lost the room (new epoch) or this node numbered messages alone during an outage.
            Adopt(message.Epoch!, message.Seq - 1, room);
        }

        if (message.Seq <= _lastSeq)
        {
            frame.Release();
            return;
        }

        var now = Environment.TickCount64;
        Volatile.Write(ref _lastSeq, message.Seq);
        Volatile.Write(ref _lastActivity, now);
        _history.Trim(now);
        _history.Append(frame, message.Seq, now);
        room?.Publish(frame);
        frame.Release();
    }

    private void Deliver(in PendingRoomMessage message)
    {
        if (message.Presence)
        {
            LocalRoom()?.Publish(message.Frame, message.Sender);
            message.Frame.Release();
            return;
        }

        if (message.Seq > 0)
        {
            DeliverFromBackplane(message);
            return;
        }

        if (_scaleOutRooms is not null)
        {
            Divergent = true;
        }

        var now = Environment.TickCount64;
        var seq = _lastSeq + 1;
        Volatile.Write(ref _lastSeq, seq);
        Volatile.Write(ref _lastActivity, now);
        Span<byte> digits = stackalloc byte[ChatMessageWriter.SeqSlotWidth];
        Utf8Formatter.TryFormat(seq, digits, out var length);
        var frame = message.Frame;
        frame.FillSlot(message.SeqSlot, ChatMessageWriter.SeqSlotWidth, digits[..length]);
        frame.Seal(WebSocketOpcode.Text);
        _history.Trim(now);
        _history.Append(frame, seq, now);
        var room = message.Room ?? (message.Lookup is { } rooms && rooms.TryGetRoom(RoomId, out var found) ? found : null);
        room?.Publish(frame);
        frame.Release();
        if (message.Ack is { } ack)
        {
            ack.FillSlot(message.AckSeqSlot, ChatMessageWriter.SeqSlotWidth, digits[..length]);
            ack.Seal(WebSocketOpcode.Text);
            message.Sender!.TrySend(ack);
            ack.Release();
        }
    }
}
