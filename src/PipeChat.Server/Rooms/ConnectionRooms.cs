namespace PipeChat.Server.Rooms;

/// <summary>
/// The rooms one connection has joined, kept by that connection (single-threaded: its read
/// loop, then its close). Gives the caller the count for a per-connection room limit, a
/// lock-free "am I in this room" check, and the list to leave on close.
/// </summary>
public sealed class ConnectionRooms
{
    private Room[] _rooms = [];
    private int _count;
    private System.Collections.Concurrent.ConcurrentQueue<Room>? _evicted;
    private volatile bool _evictionsPending;

    public int Count => _count;

    public void Add(Room room)
    {
        ArgumentNullException.ThrowIfNull(room);
        if (_count == _rooms.Length)
        {
            Array.Resize(ref _rooms, Math.Max(4, _count * 2));
        }

        _rooms[_count++] = room;
    }

    public bool Remove(Room room)
    {
        var index = Array.IndexOf(_rooms, room, 0, _count);
        if (index < 0)
        {
            return false;
        }

        _rooms[index] = _rooms[--_count];
        _rooms[_count] = null!;
        return true;
    }

    /// <summary>The joined room with this id, found without allocating.</summary>
    public Room? Find(ReadOnlySpan<char> roomId)
    {
        foreach (var room in _rooms.AsSpan(0, _count))
        {
            if (roomId.SequenceEqual(room.Id))
            {
                return room;
            }
        }

        return null;
    }

    /// <summary>
    /// From any thread: the connection was put out of <paramref name="room"/> (a ban); the owner
    /// drops it from this list at its next <see cref="ApplyEvictions"/>.
    /// </summary>
    public void MarkEvicted(Room room)
    {
        if (_evicted is null)
        {
            Interlocked.CompareExchange(ref _evicted, new(), null);
        }

        _evicted.Enqueue(room);
        _evictionsPending = true;
    }

    /// <summary>Owner only: drops the rooms marked evicted (one volatile read when there are none).</summary>
    public void ApplyEvictions()
    {
        if (!_evictionsPending)
        {
            return;
        }

        _evictionsPending = false;
        while (_evicted!.TryDequeue(out var room))
        {
            Remove(room);
        }
    }

    public void Clear()
    {
        Array.Clear(_rooms, 0, _count);
        _count = 0;
    }

    public ReadOnlySpan<Room>.Enumerator GetEnumerator() => new ReadOnlySpan<Room>(_rooms, 0, _count).GetEnumerator();
}
