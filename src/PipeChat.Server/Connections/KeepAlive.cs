using PipeChat.Protocol.Framing;
using PipeChat.Server.Buffers;

namespace PipeChat.Server.Connections;

/// <summary>
/// Keep-alive of an open connection: when it last received anything, and the ping sent while it
/// was quiet. A connection quiet for a ping interval is pinged; one whose ping then goes
/// unanswered for another whole interval is dropped. Held by value by the session; the heartbeat
/// decides with a tick it is given (<see cref="Check"/>), so it can be driven without waiting.
/// </summary>
internal struct KeepAlive
{
    /// <summary>The ping every quiet connection is sent (one shared frame).</summary>
    public static readonly SharedFrame Ping = SharedFrame.Create(WebSocketOpcode.Ping, default);

    private long _lastReceive;
    private int _pingOutstanding;
    private long _pingSentAt;

    public KeepAlive(long now) => _lastReceive = now;

    /// <summary>Data (of any kind) arrived at tick <paramref name="now"/>.</summary>
    public void Received(long now) => Volatile.Write(ref _lastReceive, now);

    /// <summary>A pong arrived: the ping is answered.</summary>
    public void PongReceived() => Volatile.Write(ref _pingOutstanding, 0);

    /// <summary>What the heartbeat at tick <paramref name="now"/> must do for a ping interval of <paramref name="intervalMs"/>.</summary>
    public KeepAliveAction Check(long now, long intervalMs)
    {
        var idle = now - Volatile.Read(ref _lastReceive);

        // Dropped only after a ping has gone unanswered for a whole interval: a heartbeat that ran
        // late (a busy machine) must not drop a peer that was never pinged.
        if (idle > 2 * intervalMs && Volatile.Read(ref _pingOutstanding) == 1 && now - Volatile.Read(ref _pingSentAt) > intervalMs)
        {
            return KeepAliveAction.TimedOut;
        }

        if (idle > intervalMs && Interlocked.Exchange(ref _pingOutstanding, 1) == 0)
        {
            Volatile.Write(ref _pingSentAt, now);
            return KeepAliveAction.Ping;
        }

        return KeepAliveAction.None;
    }
}

/// <summary>What <see cref="KeepAlive.Check"/> asks for.</summary>
internal enum KeepAliveAction
{
    None,
    Ping,
    TimedOut,
}
