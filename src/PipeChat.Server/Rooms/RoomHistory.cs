using PipeChat.Server.Buffers;

namespace PipeChat.Server.Rooms;

/// <summary>
/// The last N messages of one room (each the shared frame every member received, kept by
/// reference), bounded by count and age. Used only by the room channel's current owner.
/// </summary>
internal sealed class RoomHistory(int capacity, long maxAgeMs)
{
    private readonly (SharedFrame Frame, long Seq, long StoredAt)[] _entries = new (SharedFrame, long, long)[Math.Max(capacity, 0)];
    private int _head;
    private int _count;

    public int Count => _count;

    /// <summary>Seq of the oldest message kept, or 0 when none is.</summary>
    public long OldestSeq => _count == 0 ? 0 : _entries[_head].Seq;

    public void Append(SharedFrame frame, long seq, long now)
    {
        if (_entries.Length == 0)
        {
            return;
        }

        frame.AddReference();
        if (_count == _entries.Length)
        {
            _entries[_head].Frame.Release();
            _entries[_head] = (frame, seq, now);
            _head = (_head + 1) % _entries.Length;
        }
        else
        {
            _entries[(_head + _count) % _entries.Length] = (frame, seq, now);
            _count++;
        }
    }

    /// <summary>Drops messages older than the age limit.</summary>
    public void Trim(long now)
    {
        while (_count > 0 && now - _entries[_head].StoredAt > maxAgeMs)
        {
            _entries[_head].Frame.Release();
            _entries[_head] = default;
            _head = (_head + 1) % _entries.Length;
            _count--;
        }
    }

    /// <summary>
    /// Whether every message after <paramref name="since"/> up to <paramref name="lastSeq"/> is
    /// still kept, so a client that saw <paramref name="since"/> can catch up with no gap.
    /// </summary>
    public bool Covers(long since, long lastSeq)
        => since == lastSeq || (since < lastSeq && _count > 0 && OldestSeq <= since + 1);

    /// <summary>The kept messages with seq &gt; <paramref name="since"/>, oldest first.</summary>
    public IEnumerable<SharedFrame> After(long since)
    {
        for (var i = 0; i < _count; i++)
        {
            var entry = _entries[(_head + i) % _entries.Length];
            if (entry.Seq > since)
            {
                yield return entry.Frame;
            }
        }
    }

    /// <summary>The kept messages with seq &gt; <paramref name="since"/> and their seq, oldest first.</summary>
    public IEnumerable<(SharedFrame Frame, long Seq)> EntriesAfter(long since)
    {
        for (var i = 0; i < _count; i++)
        {
            var entry = _entries[(_head + i) % _entries.Length];
            if (entry.Seq > since)
            {
                yield return (entry.Frame, entry.Seq);
            }
        }
    }

    /// <summary>Up to <paramref name="limit"/> messages with seq &lt; <paramref name="before"/>, oldest first; whether older ones remain.</summary>
    public (List<SharedFrame> Frames, bool More) Before(long before, int limit)
    {
        var end = _count;
        while (end > 0 && _entries[(_head + end - 1) % _entries.Length].Seq >= before)
        {
            end--;
        }

        var start = Math.Max(0, end - limit);
        var frames = new List<SharedFrame>(end - start);
        for (var i = start; i < end; i++)
        {
            frames.Add(_entries[(_head + i) % _entries.Length].Frame);
        }

        return (frames, start > 0);
    }

    /// <summary>Puts <paramref name="frame"/> (sealed) in place of the kept message <paramref name="seq"/>; false when it is not kept.</summary>
    public bool Replace(long seq, SharedFrame frame)
    {
        for (var i = 0; i < _count; i++)
        {
            ref var entry = ref _entries[(_head + i) % _entries.Length];
            if (entry.Seq == seq)
            {
                frame.AddReference();
                entry.Frame.Release();
                entry.Frame = frame;
                return true;
            }
        }

        return false;
    }

    /// <summary>Releases every kept frame.</summary>
    public void Clear()
    {
        for (var i = 0; i < _count; i++)
        {
            ref var entry = ref _entries[(_head + i) % _entries.Length];
            entry.Frame.Release();
            entry = default;
        }

        _head = _count = 0;
    }
}
