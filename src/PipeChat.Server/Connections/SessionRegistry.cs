using System.Collections.Concurrent;
using System.Net;

namespace PipeChat.Server.Connections;

/// <summary>
/// Every live connection, and the one heartbeat timer that enforces handshake, ping/idle and
/// close timeouts for all of them (no timer per connection).
/// </summary>
internal sealed class SessionRegistry : IDisposable
{
    private readonly ConcurrentDictionary<long, WebSocketSession> _sessions = new();
    private readonly ConcurrentDictionary<IPAddress, int> _perAddress = new();
    private Timer? _timer;

    public int Count => _sessions.Count;

    /// <summary>Runs after each heartbeat on the timer's thread (the memory trim).</summary>
    public Func<long, bool>? AfterTick { get; set; }

    public void Start(TimeSpan period) => _timer = new Timer(static s => ((SessionRegistry)s!).Tick(), this, period, period);

    public void Add(WebSocketSession session) => _sessions.TryAdd(session.ConnectionId, session);

    public void Remove(WebSocketSession session) => _sessions.TryRemove(session.ConnectionId, out _);

    /// <summary>Counts a connection against its address; false (not counted) when the address is at <paramref name="limit"/>.</summary>
    public bool TryAddAddress(IPAddress address, int limit)
    {
        while (true)
        {
            if (!_perAddress.TryGetValue(address, out var count))
            {
                if (_perAddress.TryAdd(address, 1))
                {
                    return true;
                }

                continue;
            }

            if (limit > 0 && count >= limit)
            {
                return false;
            }

            if (_perAddress.TryUpdate(address, count + 1, count))
            {
                return true;
            }
        }
    }

    public void RemoveAddress(IPAddress address)
    {
        while (true)
        {
            var count = _perAddress[address];
            if (count == 1 ? _perAddress.TryRemove(new KeyValuePair<IPAddress, int>(address, 1)) : _perAddress.TryUpdate(address, count - 1, count))
            {
                return;
            }
        }
    }

    public IEnumerable<WebSocketSession> Snapshot() => _sessions.Values;

    public void Dispose() => _timer?.Dispose();

    private void Tick()
    {
        var now = Environment.TickCount64;
        foreach (var pair in _sessions)
        {
            pair.Value.OnHeartbeat(now);
        }

        AfterTick?.Invoke(now);
    }
}
