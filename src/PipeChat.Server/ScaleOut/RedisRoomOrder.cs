using PipeChat.Protocol.Chat;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Buffers;
using PipeChat.Server.Rooms;

namespace PipeChat.Server.ScaleOut;

/// <summary>
/// How a room channel follows Redis's numbering (owner only: every method runs as the channel's
/// owner, from queued <see cref="RoomChannelWork"/>). Redis assigns seq and epoch; the channel
/// fans out, in seq order, what the room's subscription delivers (dropping any seq already
/// delivered), keeps the last few locally, and applies <see cref="RoomSnapshot"/>s read from Redis
/// so joins and reconnects catch up with no gap. While Redis is unreachable the channel stamps
/// local seqs as on a single node, and this remembers that it diverged.
/// </summary>
internal sealed class RedisRoomOrder
{
    /// <summary>Most messages held back behind a missing seq; past it they go out with the gap.</summary>
    private const int MaxPending = 4096;

    /// <summary>A missing seq older than this (ms) asks the heartbeat for a catch-up from Redis history.</summary>
    private const long GapPatienceMs = 1000;

    private readonly SortedList<long, SharedFrame> _pending = [];
    private volatile bool _divergent;
    private long _gapSince;

    /// <summary>Whether the channel's epoch came from Redis yet.</summary>
    public bool EpochKnown { get; private set; }

    /// <summary>Local seqs were given while Redis was unreachable.</summary>
    public bool Divergent => _divergent;

    /// <summary>The order state kept with <paramref name="channel"/>.</summary>
    public static RedisRoomOrder Of(RoomChannel channel) => channel.SequencerState(static () => new RedisRoomOrder());

    /// <summary>
    /// Any thread: a later seq has waited longer than a second for an earlier one (a sender's
    /// publish that never came: its node died between numbering and publishing, or its master
    /// between WAIT and the publish; or a subscription lost it). The heartbeat then reads the
    /// room's history from Redis to fill it.
    /// </summary>
    public bool HasStaleGap => Volatile.Read(ref _gapSince) is > 0 and var since && Environment.TickCount64 - since > GapPatienceMs;

    /// <summary>Any thread, just before a local post while Redis is unreachable: the channel is about to number a message alone.</summary>
    public void MarkDivergent() => _divergent = true;

    /// <summary>A message from the room's subscription: fanned out to the local room unless its seq was delivered already.</summary>
    public void Deliver(RoomChannel channel, Room? room, SharedFrame frame, long seq, string epoch)
    {
        if (!EpochKnown && !Divergent)
        {
            channel.SetEpoch(epoch);
            EpochKnown = true;
        }
        else if (Divergent || !string.Equals(epoch, channel.Epoch, StringComparison.Ordinal))
        {
            // Redis lost the room (new epoch) or this node numbered messages alone during an outage.
            Adopt(channel, epoch, seq - 1, room);
        }

        if (_pending.Count > 0 && room is not { MemberCount: > 0 })
        {
            // Nobody here to keep the order for any more: let the held messages go (their frames back to the pool).
            FlushPending(channel, room, long.MaxValue);
        }

        if (seq <= channel.LastSeq || _pending.ContainsKey(seq))
        {
            frame.Release();
            return;
        }

        if (seq > channel.LastSeq + 1 && room is { MemberCount: > 0 } && _pending.Count < MaxPending)
        {
            // An earlier seq is still on its way (senders on other nodes publish after WAIT, in any order): hold this one.
            _pending.Add(seq, frame);
            if (Volatile.Read(ref _gapSince) == 0)
            {
                Volatile.Write(ref _gapSince, Environment.TickCount64);
            }

            return;
        }

        channel.Record(frame, seq);
        room?.Publish(frame);
        frame.Release();
        FlushPending(channel, room, _pending.Count >= MaxPending ? long.MaxValue : 0);
    }

    /// <summary>Sends the held messages that now follow the last seq, going past missing seqs up to <paramref name="skipThrough"/> (known lost).</summary>
    private void FlushPending(RoomChannel channel, Room? room, long skipThrough)
    {
        while (_pending.Count > 0)
        {
            var seq = _pending.Keys[0];
            var frame = _pending.Values[0];
            if (seq > channel.LastSeq + 1 && channel.LastSeq + 1 > skipThrough)
            {
                Volatile.Write(ref _gapSince, Environment.TickCount64);
                return;
            }

            _pending.RemoveAt(0);
            if (seq > channel.LastSeq)
            {
                channel.Record(frame, seq);
                room?.Publish(frame);
            }

            frame.Release();
        }

        Volatile.Write(ref _gapSince, 0);
    }

    private void DropPending()
    {
        foreach (var frame in _pending.Values)
        {
            frame.Release();
        }

        _pending.Clear();
        Volatile.Write(ref _gapSince, 0);
    }

    /// <summary>
    /// Brings the channel up to what Redis holds. If the epoch changed or local seqs were given
    /// during an outage, local members get a <c>reset</c> and the channel adopts Redis's
    /// numbering. Otherwise, with no local member, the channel simply moves to Redis's last seq
    /// (later copies from the subscription are dropped by seq); with local members and
    /// <paramref name="catchUp"/> (after a reconnect, when the subscription lost messages) they get
    /// the messages after the last one delivered, or a <c>reset</c> when Redis no longer keeps
    /// them all. A join into a room with local members needs nothing: the subscription has been
    /// live all along and will bring every later message.
    /// <paramref name="room"/> is the local room before any joiner is added (null when none).
    /// </summary>
    public void ApplySnapshot(RoomChannel channel, RoomSnapshot snapshot, Room? room, bool catchUp)
    {
        var hasMembers = room is { MemberCount: > 0 };
        if (Divergent || (EpochKnown && !string.Equals(snapshot.Epoch, channel.Epoch, StringComparison.Ordinal)))
        {
            Adopt(channel, snapshot.Epoch, snapshot.LastSeq, hasMembers ? room : null);
            return;
        }

        if (!EpochKnown)
        {
            channel.SetEpoch(snapshot.Epoch);
            EpochKnown = true;
        }

        if (!hasMembers)
        {
            channel.SkipTo(snapshot.LastSeq);
            FlushPending(channel, room, long.MaxValue);
            return;
        }

        if (!catchUp || snapshot.LastSeq <= channel.LastSeq)
        {
            FlushPending(channel, room, 0);
            return;
        }

        var first = snapshot.Entries.Count > 0 ? snapshot.Entries[0].Seq : long.MaxValue;
        if (first > channel.LastSeq + 1)
        {
            // Redis no longer keeps what this node missed: members reload.
            Adopt(channel, snapshot.Epoch, snapshot.LastSeq, room);
            return;
        }

        foreach (var entry in snapshot.Entries)
        {
            if (entry.Seq != channel.LastSeq + 1 || entry.Seq > snapshot.LastSeq)
            {
                continue;
            }

            var frame = SharedFrame.Create(WebSocketOpcode.Text, entry.Json.Span);
            channel.Record(frame, entry.Seq);
            room!.Publish(frame);
            frame.Release();
        }

        // What Redis does not have by now will not come (a numbered message lost with its master): go on past the gap.
        FlushPending(channel, room, snapshot.LastSeq);
    }

    /// <summary>
    /// After <see cref="ApplySnapshot"/>: sends <paramref name="to"/> every message after
    /// <paramref name="since"/> up to the last one delivered here, from the snapshot and the local
    /// history, if together they hold all of them; false (nothing sent) otherwise.
    /// </summary>
    public static bool TryReplay(RoomChannel channel, IRoomMember to, long since, RoomSnapshot snapshot)
    {
        var last = channel.LastSeq;
        if (since == last)
        {
            return true;
        }

        if (since > last)
        {
            return false;
        }

        channel.History.Trim(Environment.TickCount64);
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

        foreach (var (frame, seq) in channel.History.EntriesAfter(expect - 1))
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

    private void Adopt(RoomChannel channel, string epoch, long lastSeq, Room? room)
    {
        DropPending();
        channel.Restart(epoch, lastSeq);
        EpochKnown = true;
        _divergent = false;
        if (room is not null)
        {
            var reset = SharedFrame.Rent(128 + (channel.RoomId.Length * 6) + epoch.Length);
            ChatMessageWriter.WriteReset(reset, default, channel.RoomId, lastSeq, epoch);
            reset.Seal(WebSocketOpcode.Text);
            room.Publish(reset);
            reset.Release();
        }
    }
}
