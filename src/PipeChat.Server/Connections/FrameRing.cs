using PipeChat.Server.Buffers;
using PipeChat.Server.Rooms;

namespace PipeChat.Server.Connections;

/// <summary>
/// A connection's own outbound frames (replies, acks, notices, control frames), each with its
/// order stamp, in a ring that grows by doubling and holds no array while empty and trimmed; it
/// also counts what they cost against the queue's byte limit. Held by value by
/// <see cref="OutboundQueue"/>, which locks around every change; the count and the bytes may be
/// read without the lock.
/// </summary>
internal struct FrameRing
{
    private const int InitialCapacity = 4;

    /// <summary>What the ring spends on holding one frame besides its bytes (a slot, up to twice over while the ring grows).</summary>
    private const int EntryOverhead = 16;

    private (SharedFrame Frame, long Stamp)[]? _items;
    private int _head;
    private int _count;
    private long _bytes;

    public readonly bool IsEmpty => Volatile.Read(in _count) == 0;

    /// <summary>What the frames held count against the limit.</summary>
    public readonly long Bytes => Volatile.Read(in _bytes);

    /// <summary>The oldest frame's stamp (not empty).</summary>
    public readonly long OldestStamp => _items![_head].Stamp;

    /// <summary>
    /// What a frame counts against <c>--max-queued-bytes</c>: its bytes plus the ring's own cost
    /// of holding it, so a stalled reader of small frames is bounded in memory too, not only in
    /// frame bytes.
    /// </summary>
    public static int Cost(SharedFrame frame) => frame.Frame.Length + EntryOverhead;

    public void Add(SharedFrame frame, int cost)
    {
        var items = _items;
        if (items is null)
        {
            items = _items = new (SharedFrame, long)[InitialCapacity];
        }
        else if (_count == items.Length)
        {
            var larger = new (SharedFrame, long)[items.Length * 2];
            for (var i = 0; i < _count; i++)
            {
                larger[i] = items[(_head + i) & (items.Length - 1)];
            }

            items = _items = larger;
            _head = 0;
        }

        items[(_head + _count) & (items.Length - 1)] = (frame, RoomFeed.NextStamp());
        Volatile.Write(ref _bytes, _bytes + cost);
        Volatile.Write(ref _count, _count + 1);
    }

    /// <summary>Takes the oldest frame (not empty); it no longer counts against the limit.</summary>
    public SharedFrame Take()
    {
        var items = _items!;
        var frame = items[_head].Frame;
        items[_head] = default;
        Volatile.Write(ref _bytes, _bytes - Cost(frame));
        _head = (_head + 1) & (items.Length - 1);
        Volatile.Write(ref _count, _count - 1);
        return frame;
    }

    /// <summary>Drops the array when empty.</summary>
    public void Trim()
    {
        if (_count == 0)
        {
            _items = null;
            _head = 0;
        }
    }

    /// <summary>Whether there is an array to trim (read without the lock: a hint).</summary>
    public readonly bool HoldsArray => _items is not null;
}
