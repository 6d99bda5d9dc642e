using System.Collections.Concurrent;

namespace PipeChat.Server.Routing;

/// <summary>
/// Increments waiting for the next counter update, per room and counter name: an increment is one
/// Interlocked add on its cell (no allocation once the counter exists); <see cref="Drain"/> takes
/// what accumulated since the last update. A room holds at most <see cref="MaxCountersPerRoom"/>
/// counters; a room's cells are forgotten once it is gone and they are drained.
/// </summary>
internal sealed class CounterTable
{
    /// <summary>Counters one room may hold.</summary>
    public const int MaxCountersPerRoom = 16;

    private readonly ConcurrentDictionary<string, RoomCells> _rooms = new(StringComparer.Ordinal);

    public bool Add(string roomId, ReadOnlySpan<char> name, long by)
    {
        var room = _rooms.GetOrAdd(roomId, static _ => new RoomCells());
        var lookup = room.Cells.GetAlternateLookup<ReadOnlySpan<char>>();
        if (!lookup.TryGetValue(name, out var cell))
        {
            lock (room)
            {
                if (!lookup.TryGetValue(name, out cell))
                {
                    if (room.Cells.Count >= MaxCountersPerRoom)
                    {
                        return false;
                    }

                    cell = new Cell();
                    room.Cells[name.ToString()] = cell;
                }
            }
        }

        Interlocked.Add(ref cell.Pending, by);
        Volatile.Write(ref cell.Dirty, true);
        Volatile.Write(ref room.Dirty, true);
        return true;
    }

    /// <summary>
    /// Calls <paramref name="changed"/> for every counter incremented since the last drain, with
    /// the increments taken (cleared); <paramref name="roomExists"/> lets rooms with nothing
    /// pending be forgotten once they are gone.
    /// </summary>
    public void Drain(Action<string, string, long> changed, Func<string, bool> roomExists)
    {
        foreach (var (roomId, room) in _rooms)
        {
            if (!Volatile.Read(ref room.Dirty))
            {
                if (!roomExists(roomId))
                {
                    _rooms.TryRemove(roomId, out _);
                }

                continue;
            }

            Volatile.Write(ref room.Dirty, false);
            foreach (var (name, cell) in room.Cells)
            {
                if (Volatile.Read(ref cell.Dirty))
                {
                    Volatile.Write(ref cell.Dirty, false);
                    changed(roomId, name, Interlocked.Exchange(ref cell.Pending, 0));
                }
            }
        }
    }

    private sealed class RoomCells
    {
        public readonly ConcurrentDictionary<string, Cell> Cells = new(StringComparer.Ordinal);
        public bool Dirty;
    }

    private sealed class Cell
    {
        public long Pending;
        public bool Dirty;
    }
}
