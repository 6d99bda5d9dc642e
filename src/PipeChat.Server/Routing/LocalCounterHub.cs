using System.Collections.Concurrent;
using PipeChat.Server.Diagnostics;
using PipeChat.Server.Rooms;

namespace PipeChat.Server.Routing;

/// <summary>
/// Room counters on a single node: increments accumulate in a <see cref="CounterTable"/>; every
/// interval each counter that changed gets its new value sent to the room once. Values live as
/// long as the room has members (an empty room's counters start again from 0).
/// </summary>
internal sealed class LocalCounterHub(RoomRegistry rooms, int intervalMs, PriorityCounters? counters) : ICounterHub
{
    private readonly CounterTable _table = new();
    private readonly ConcurrentDictionary<(string Room, string Name), long> _values = new();
    private Timer? _timer;

    public bool Add(string roomId, ReadOnlySpan<char> name, long by) => _table.Add(roomId, name, by);

    public void Start() => _timer = new Timer(static s => ((LocalCounterHub)s!).Tick(), this, intervalMs, intervalMs);

    public void Dispose() => _timer?.Dispose();

    /// <summary>One update round (the timer's; tests call it directly).</summary>
    internal void Tick()
    {
        _table.Drain(
            (roomId, name, delta) =>
            {
                var value = _values.AddOrUpdate((roomId, name), delta, (_, old) => old + delta);
                CounterEvents.Publish(rooms, counters, roomId, name, value);
            },
            roomId =>
            {
                var exists = rooms.TryGetRoom(roomId, out _);
                if (!exists)
                {
                    foreach (var key in _values.Keys)
                    {
                        if (key.Room == roomId)
                        {
                            _values.TryRemove(key, out _);
                        }
                    }
                }

                return exists;
            });
    }
}
