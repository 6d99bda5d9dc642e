using System.Diagnostics;
using PipeChat.Protocol.Chat;

namespace PipeChat.Server.Rooms;

/// <summary>
/// One member's read position in a <see cref="RoomFeed"/>, pinning the chunk it is in. Read,
/// advanced and dropped only under its connection's queue lock (<c>Connections/OutboundQueue</c>);
/// <see cref="Lag"/> may be read from any thread. A cursor may be given a stop (the member left
/// the room, or is closing): it then ends at the feed's length at that moment.
/// <para>
/// A member that falls behind is thinned (docs/protocol.md): entries it skips (<see cref="Skip"/>)
/// add up to one pending range of seqs, which the writer sends as a <c>skipped</c> event before
/// the next message the member does get. A member far behind (past its hard limit) jumps to the
/// end of the feed (<see cref="JumpOver"/>): the high-priority entries it jumped over wait in a
/// small detour of their own (referenced, counted in <see cref="DetourBytes"/>), read before the
/// feed, so the cursor no longer pins the room's frames and a stalled member costs only its
/// high-priority backlog.
/// </para>
/// </summary>
internal sealed class FeedCursor
{
    private RoomFeed.Chunk? _chunk;
    private int _index;
    private long _bytes;
    private long _stopAt = long.MaxValue;
    private long _stoppedAtTick;

    // Thinning: the pending skipped range (before the next entry of the feed itself) and the detour.
    private SkipRange _skip;
    private Queue<(RoomFeed.Entry Entry, SkipRange Before)>? _detour;
    private bool _detourHeadSkipSent;
    private long _detourBytes;

    internal FeedCursor(RoomFeed feed, RoomFeed.Chunk chunk, int index, long bytes)
    {
        Feed = feed;
        _chunk = chunk;
        _index = index;
        _bytes = bytes;
    }

    public RoomFeed Feed { get; }

    /// <summary>Frame bytes appended to the feed that this reader has not taken yet (the detour not included).</summary>
    public long Lag => _chunk is null ? 0 : Math.Min(Feed.Bytes, Volatile.Read(ref _stopAt)) - Volatile.Read(ref _bytes);

    /// <summary>Bytes of the high-priority frames waiting in the detour.</summary>
    public long DetourBytes => Volatile.Read(ref _detourBytes);

    /// <summary>True once a stopped cursor has taken everything before its stop, or it was dropped: it can be forgotten.</summary>
    public bool Finished => _chunk is null || (Volatile.Read(ref _bytes) >= Volatile.Read(ref _stopAt) && _detour is not { Count: > 0 });

    /// <summary>When the cursor was stopped (<see cref="Environment.TickCount64"/>), 0 while it runs.</summary>
    public long StoppedAt => Volatile.Read(ref _stoppedAtTick);

    /// <summary>Ends the cursor at the feed's current length (entries appended later are not read).</summary>
    public void Stop()
    {
        var end = Feed.Bytes;
        if (end < Volatile.Read(ref _stopAt))
        {
            Volatile.Write(ref _stopAt, end);
            Interlocked.CompareExchange(ref _stoppedAtTick, Math.Max(1, Environment.TickCount64), 0);
        }
    }

    /// <summary>Unpins the cursor's chunk and lets go of the detour; the cursor reads nothing more.</summary>
    public void Drop()
    {
        if (_chunk is { } chunk)
        {
            _chunk = null;
            Feed.Unpin(chunk);
        }

        if (_detour is { } detour)
        {
            while (detour.TryDequeue(out var item))
            {
                item.Entry.Frame.Release();
            }

            Volatile.Write(ref _detourBytes, 0);
        }
    }

    /// <summary>
    /// The next entry for <paramref name="reader"/>: the detour's first, else the feed's next one
    /// it is not excluded from (those are skipped), without taking it; false when there is none
    /// now (or the cursor reached its stop).
    /// </summary>
    public bool TryPeek(IRoomMember reader, out RoomFeed.Entry entry)
    {
        if (_detour is { Count: > 0 } detour && _chunk is not null)
        {
            entry = detour.Peek().Entry;
            return true;
        }

        return TryPeekFeed(reader, out entry);
    }

    /// <summary>Takes the entry <see cref="TryPeek"/> returned (the detour's reference goes with it: the caller holds its own).</summary>
    public void Advance(in RoomFeed.Entry entry)
    {
        if (_detour is { Count: > 0 } detour && ReferenceEquals(detour.Peek().Entry.Frame, entry.Frame))
        {
            detour.Dequeue();
            _detourHeadSkipSent = false;
            Volatile.Write(ref _detourBytes, _detourBytes - entry.Frame.Frame.Length);
            entry.Frame.Release();
            return;
        }

        Debug.Assert(ReferenceEquals(_chunk!.Entries[_index].Frame, entry.Frame));
        _index++;
        Volatile.Write(ref _bytes, entry.EndBytes);
    }

    /// <summary>Whether <paramref name="entry"/> (from <see cref="TryPeek"/>) waits in the detour (never skipped).</summary>
    public bool InDetour(in RoomFeed.Entry entry)
        => _detour is { Count: > 0 } detour && ReferenceEquals(detour.Peek().Entry.Frame, entry.Frame);

    /// <summary>Passes over the feed entry <see cref="TryPeek"/> returned without sending it, adding it to the pending skipped range.</summary>
    public void Skip(in RoomFeed.Entry entry)
    {
        Advance(entry);
        _skip = _skip.Add(entry.Frame.Seq);
    }

    /// <summary>
    /// The skipped range to announce before the entry <see cref="TryPeek"/> returned, if any;
    /// it counts as announced from then on.
    /// </summary>
    public bool TakePendingSkip(in RoomFeed.Entry next, out SkipRange range)
    {
        if (InDetour(next))
        {
            range = _detourHeadSkipSent ? default : _detour!.Peek().Before;
            _detourHeadSkipSent = true;
        }
        else
        {
            range = _skip;
            _skip = default;
        }

        return range.Count > 0;
    }

    /// <summary>
    /// Jumps to the end of the feed (the member is past its hard limit): low and normal entries
    /// are skipped, high ones move to the detour. Returns how many of each priority were skipped
    /// through <paramref name="skipped"/> (indexed by <see cref="MessagePriorities.Rank"/>).
    /// </summary>
    public void JumpOver(IRoomMember reader, Span<int> skipped)
    {
        while (TryPeekFeed(reader, out var entry))
        {
            var priority = entry.Frame.Priority;
            if (priority == MessagePriority.High)
            {
                _detour ??= new Queue<(RoomFeed.Entry, SkipRange)>();
                entry.Frame.AddReference();
                _index++;
                Volatile.Write(ref _bytes, entry.EndBytes);
                _detour.Enqueue((entry, _skip));
                _skip = default;
                Volatile.Write(ref _detourBytes, _detourBytes + entry.Frame.Frame.Length);
            }
            else
            {
                Skip(entry);
                if (entry.Frame.Seq > 0)
                {
                    skipped[MessagePriorities.Rank(priority)]++;
                }
            }
        }
    }

    private bool TryPeekFeed(IRoomMember reader, out RoomFeed.Entry entry)
    {
        while (_chunk is { } chunk)
        {
            if (_index < Volatile.Read(ref chunk.Count))
            {
                entry = chunk.Entries[_index];
                if (entry.EndBytes > Volatile.Read(ref _stopAt))
                {
                    break;
                }

                if (ReferenceEquals(entry.Except, reader))
                {
                    _index++;
                    Volatile.Write(ref _bytes, entry.EndBytes);
                    continue;
                }

                return true;
            }

            if (_index == chunk.Entries.Length && Volatile.Read(ref chunk.Next) is { } next)
            {
                // Pin the next chunk before leaving this one: chunks are reclaimed oldest first.
                Interlocked.Increment(ref next.Pins);
                _chunk = next;
                _index = 0;
                Feed.Unpin(chunk);
                continue;
            }

            break;
        }

        entry = default;
        return false;
    }
}

/// <summary>A run of room messages a member skipped: first and last seq and how many (seq-less entries are not counted).</summary>
internal readonly record struct SkipRange(long From, long To, long Count)
{
    public SkipRange Add(long seq) => seq <= 0 ? this : Count == 0 ? new SkipRange(seq, seq, 1) : new SkipRange(From, seq, Count + 1);
}
