using System.Collections.Concurrent;

namespace PipeChat.Server.Rooms;

/// <summary>
/// The rooms of this node, looked up by id without allocating. A room is created by its first
/// join and removed when its last member leaves. Removal cannot lose a concurrent joiner: a
/// room is closed under its own lock when it becomes empty, a closed room refuses joins, and
/// the joiner then removes that exact instance (if still present) and retries with a new one.
/// The per-connection room limit is the caller's (see <see cref="ConnectionRooms.Count"/>).
/// </summary>
public sealed class RoomRegistry
{
    private readonly ConcurrentDictionary<string, Room> _rooms = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Room>.AlternateLookup<ReadOnlySpan<char>> _byName;
    private readonly int _maxMembersPerRoom;
    private int _roomCount;

    public RoomRegistry(RoomRegistryOptions? options = null)
    {
        _maxMembersPerRoom = (options ?? new RoomRegistryOptions()).MaxMembersPerRoom;
        ArgumentOutOfRangeException.ThrowIfLessThan(_maxMembersPerRoom, 1);
        _byName = _rooms.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Rooms that exist now.</summary>
    public int RoomCount => Volatile.Read(ref _roomCount);

    /// <summary>
    /// The <paramref name="limit"/> rooms with the most member connections, largest first, with
    /// their member and user counts (for the admin dashboard: a scan of every room, not for hot paths).
    /// </summary>
    public List<(string Id, int Members, int Users)> Largest(int limit)
    {
        var all = new List<(string Id, int Members, int Users)>(Math.Min(RoomCount, 1024));
        foreach (var room in _rooms.Values)
        {
            if (!room.IsClosed)
            {
                all.Add((room.Id, room.MemberCount, room.UserCount));
            }
        }

        all.Sort(static (a, b) => b.Members != a.Members ? b.Members.CompareTo(a.Members) : string.CompareOrdinal(a.Id, b.Id));
        return all.Count > limit ? all.GetRange(0, limit) : all;
    }

    /// <summary>Finds an open room by id without allocating.</summary>
    public bool TryGetRoom(ReadOnlySpan<char> roomId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Room? room)
    {
        if (_byName.TryGetValue(roomId, out room) && !room.IsClosed)
        {
            return true;
        }

        room = null;
        return false;
    }

    /// <summary>Adds the connection to the room, creating the room on its first join.</summary>
    public RoomJoinResult Join(ReadOnlySpan<char> roomId, IRoomMember connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        while (true)
        {
            if (!_byName.TryGetValue(roomId, out var room))
            {
                var created = new Room(roomId.ToString());
                if (!_rooms.TryAdd(created.Id, created))
                {
                    continue;
                }

                Interlocked.Increment(ref _roomCount);
                room = created;
            }

            switch (room.TryJoin(connection, _maxMembersPerRoom))
            {
                case RoomJoinOutcome.Joined:
                    return new RoomJoinResult(RoomJoinStatus.Joined, room, FirstMember: false);
                case RoomJoinOutcome.JoinedFirst:
                    return new RoomJoinResult(RoomJoinStatus.Joined, room, FirstMember: true);
                case RoomJoinOutcome.AlreadyMember:
                    return new RoomJoinResult(RoomJoinStatus.AlreadyMember, room, FirstMember: false);
                case RoomJoinOutcome.Full:
                    return new RoomJoinResult(RoomJoinStatus.RoomFull, room, FirstMember: false);
                default:
                    // Closed by its last leaver, who may not have removed it yet: help, then retry.
                    Remove(room);
                    continue;
            }
        }
    }

    /// <summary>Removes the connection from the room; the room goes when it becomes empty.</summary>
    public RoomLeaveStatus Leave(ReadOnlySpan<char> roomId, IRoomMember connection) =>
        _byName.TryGetValue(roomId, out var room) ? Leave(room, connection) : RoomLeaveStatus.NotMember;

    /// <summary>Removes the connection from a room it holds a reference to.</summary>
    public RoomLeaveStatus Leave(Room room, IRoomMember connection)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(connection);
        var status = room.Leave(connection);
        if (status == RoomLeaveStatus.LeftAndClosed)
        {
            Remove(room);
        }

        return status;
    }

    /// <summary>Leaves every room in <paramref name="rooms"/> (a closing connection) and clears it.</summary>
    public void LeaveAll(ConnectionRooms rooms, IRoomMember connection)
    {
        ArgumentNullException.ThrowIfNull(rooms);
        foreach (var room in rooms)
        {
            Leave(room, connection);
        }

        rooms.Clear();
    }

    private void Remove(Room room)
    {
        if (_rooms.TryRemove(new KeyValuePair<string, Room>(room.Id, room)))
        {
            Interlocked.Decrement(ref _roomCount);
        }
    }
}
