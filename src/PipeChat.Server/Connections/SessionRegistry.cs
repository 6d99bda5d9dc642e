using System.Collections.Concurrent;

namespace PipeChat.Server.Connections;

/// <summary>
/// Every live connection, and the one heartbeat timer that enforces handshake, ping/idle and
/// close timeouts for all of them (no timer per connection).
/// </summary>
internal sealed class SessionRegistry : IDisposable
{
    private readonly ConcurrentDictionary<long, WebSocketSession> _sessions = new();
    private Timer? _timer;

    public int Count => _sessions.Count;

    public void Start(TimeSpan period) => _timer = new Timer(static s => ((SessionRegistry)s!).Tick(), this, period, period);

    public void Add(WebSocketSession session) => _sessions.TryAdd(session.ConnectionId, session);

    public void Remove(WebSocketSession session) => _sessions.TryRemove(session.ConnectionId, out _);

    public IEnumerable<WebSocketSession> Snapshot() => _sessions.Values;

    public void Dispose() => _timer?.Dispose();

    private void Tick()
    {
        var now = Environment.TickCount64;
        foreach (var pair in _sessions)
        {
            pair.Value.OnHeartbeat(now);
        }
    }
}
