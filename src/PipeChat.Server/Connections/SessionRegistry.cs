using System.Collections.Concurrent;
using System.Net;

namespace PipeChat.Server.Connections;

/// <summary>
/// Every live connection, and the one heartbeat timer that enforces handshake, ping/idle and
/// close timeouts for all of them (no timer per connection). Handshake deadlines are checked
/// apart, every <see cref="HandshakeCheckPeriod"/>, from a queue in arrival order: only its head
/// is looked at, so the check costs nothing per open connection.
/// </summary>
internal sealed class SessionRegistry : IDisposable
{
    /// <summary>How often handshake deadlines are checked: a handshake is dropped at most this late.</summary>
    public static readonly TimeSpan HandshakeCheckPeriod = TimeSpan.FromMilliseconds(100);

    private readonly ConcurrentDictionary<long, WebSocketSession> _sessions = new();
    private readonly ConcurrentDictionary<IPAddress, int> _perAddress = new();

    /// <summary>Sessions in arrival order, each until its handshake is over (all share one timeout, so the oldest expires first).</summary>
    private readonly ConcurrentQueue<WebSocketSession> _handshaking = new();
    private readonly Lock _handshakeCheck = new();
    private Timer? _timer;
    private Timer? _handshakeTimer;

    public int Count => _sessions.Count;

    /// <summary>Runs after each heartbeat on the timer's thread (the memory trim).</summary>
    public Func<long, bool>? AfterTick { get; set; }

    public void Start(TimeSpan period)
    {
        _timer = new Timer(static s => ((SessionRegistry)s!).Tick(), this, period, period);
        _handshakeTimer = new Timer(static s => ((SessionRegistry)s!).CheckHandshakes(Environment.TickCount64), this, HandshakeCheckPeriod, HandshakeCheckPeriod);
    }

    public void Add(WebSocketSession session)
    {
        _sessions.TryAdd(session.ConnectionId, session);
        _handshaking.Enqueue(session);
    }

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

    public void Dispose()
    {
        _timer?.Dispose();
        _handshakeTimer?.Dispose();
    }

    /// <summary>Drops handshakes past their deadline, oldest first; stops at the first one not due yet.</summary>
    internal void CheckHandshakes(long now)
    {
        if (!_handshakeCheck.TryEnter())
        {
            return; // a previous check is still running
        }

        try
        {
            while (_handshaking.TryPeek(out var session) && session.CheckHandshakeDeadline(now))
            {
                _handshaking.TryDequeue(out _);
            }
        }
        finally
        {
            _handshakeCheck.Exit();
        }
    }

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
