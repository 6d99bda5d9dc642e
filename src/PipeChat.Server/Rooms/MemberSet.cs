using System.Runtime.InteropServices;
using PipeChat.Server.Buffers;

namespace PipeChat.Server.Rooms;

/// <summary>
/// A set of connections that any number of readers scan without locks while one writer at a
/// time (the owner serializes writers with its own lock) adds and removes members in O(1)
/// with no copy of the membership: members live in fixed segments of <see cref="SegmentSize"/>
/// slots; a leave empties its slot and a later join reuses the hole; only the small segment
/// index is copied, when a segment is added or dropped (once per <see cref="SegmentSize"/>
/// joins at most). A scan costs one step per used slot, so holes left by leaves are skipped
/// cheaply and refilled first.
/// </summary>
internal sealed class MemberSet
{
    public const int SegmentSize = 256;

    private readonly Dictionary<long, SlotHandle> _slots = [];
    private readonly List<MemberSegment> _open = [];
    private MemberSegment[] _segments = [];
    private int _count;

    /// <summary>Members now (readable from any thread).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The current segment index, for a lock-free scan.</summary>
    public MemberSegment[] Segments => Volatile.Read(ref _segments);

    /// <summary>Writer only.</summary>
    public bool Contains(IRoomMember connection) => _slots.ContainsKey(connection.ConnectionId);

    /// <summary>Adds a member; false when it is already in (writer only).</summary>
    public bool Add(IRoomMember connection)
    {
        ref var handle = ref CollectionsMarshal.GetValueRefOrAddDefault(_slots, connection.ConnectionId, out var exists);
        if (exists)
        {
            return false;
        }

        var segment = _open.Count > 0 ? _open[^1] : AddSegment();
        handle = new SlotHandle(segment, segment.Add(connection));
        if (segment.IsFull)
        {
            RemoveOpen(segment);
        }

        Volatile.Write(ref _count, _count + 1);
        return true;
    }

    /// <summary>Removes a member; false when it was not in (writer only).</summary>
    public bool Remove(IRoomMember connection)
    {
        if (!_slots.Remove(connection.ConnectionId, out var handle))
        {
            return false;
        }

        var segment = handle.Segment;
        var wasFull = segment.IsFull;
        segment.Remove(handle.Index);
        if (wasFull)
        {
            AddOpen(segment);
        }
        else if (segment.Live == 0 && _open.Count > 1)
        {
            // Keep one empty segment as a spare so a join/leave at a boundary does not churn.
            RemoveOpen(segment);
            DropSegment(segment);
        }

        Volatile.Write(ref _count, _count - 1);
        return true;
    }

    /// <summary>
    /// Offers the frame to every member but one; returns the number that accepted. With a
    /// <paramref name="feed"/> (a room's, the frame just appended to it) a feed reader is only
    /// woken (<see cref="IFeedReader.Notify"/>); any other member, or with no feed every member,
    /// gets <see cref="IRoomMember.TrySend"/>.
    /// </summary>
    public int Send(SharedFrame frame, IRoomMember? except, RoomFeed? feed = null)
    {
        var delivered = 0;
        foreach (var segment in Segments)
        {
            var slots = segment.Slots.AsSpan(0, Volatile.Read(ref segment.High));
            foreach (var member in slots)
            {
                if (member is not null && !ReferenceEquals(member, except)
                    && (feed is not null && member is IFeedReader reader ? reader.Notify(feed, frame) : member.TrySend(frame)))
                {
                    delivered++;
                }
            }
        }

        return delivered;
    }

    public MemberEnumerator GetEnumerator() => new(Segments);

    private MemberSegment AddSegment()
    {
        var segment = new MemberSegment();
        var current = _segments;
        var next = new MemberSegment[current.Length + 1];
        current.CopyTo(next, 0);
        next[^1] = segment;
        Volatile.Write(ref _segments, next);
        AddOpen(segment);
        return segment;
    }

    private void DropSegment(MemberSegment segment)
    {
        var current = _segments;
        var next = new MemberSegment[current.Length - 1];
        var j = 0;
        foreach (var s in current)
        {
            if (!ReferenceEquals(s, segment))
            {
                next[j++] = s;
            }
        }

        Volatile.Write(ref _segments, next);
    }

    private void AddOpen(MemberSegment segment)
    {
        segment.OpenPosition = _open.Count;
        _open.Add(segment);
    }

    private void RemoveOpen(MemberSegment segment)
    {
        var position = segment.OpenPosition;
        var last = _open[^1];
        _open[position] = last;
        last.OpenPosition = position;
        _open.RemoveAt(_open.Count - 1);
        segment.OpenPosition = -1;
    }

    private readonly record struct SlotHandle(MemberSegment Segment, int Index);
}
