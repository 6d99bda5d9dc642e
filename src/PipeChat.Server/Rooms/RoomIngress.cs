using System.Collections.Concurrent;
using PipeChat.Protocol.Chat;

namespace PipeChat.Server.Rooms;

/// <summary>
/// The ingress caps of the node's rooms (docs/protocol.md): <c>--room-max-rate</c> for every room,
/// or a room's own rate set through the server API (0: that room is not capped). With no default
/// and no room of its own, <see cref="Active"/> is false and a message costs one field read. The
/// cap is per node: with --redis, each node caps what its own members send.
/// </summary>
internal sealed class RoomIngress(double defaultRate, double highShare)
{
    private readonly ConcurrentDictionary<string, RoomIngressCap> _caps = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, double> _overrides = new(StringComparer.Ordinal);
    private volatile bool _hasOverrides;

    /// <summary>Whether any room may be capped.</summary>
    public bool Active => defaultRate > 0 || _hasOverrides;

    /// <summary>The rate that applies to <paramref name="roomId"/> (0: none).</summary>
    public double RateOf(string roomId) => _overrides.TryGetValue(roomId, out var rate) ? rate : defaultRate;

    /// <summary>Sets the room's own rate (0: not capped), or with null returns it to the default.</summary>
    public void SetRoomRate(string roomId, double? rate)
    {
        if (rate is { } value)
        {
            _overrides[roomId] = value;
            _hasOverrides = true;
        }
        else
        {
            _overrides.TryRemove(roomId, out _);
        }

        var effective = RateOf(roomId);
        if (effective <= 0)
        {
            _caps.TryRemove(roomId, out _);
        }
        else if (_caps.TryGetValue(roomId, out var cap))
        {
            cap.Configure(effective, highShare);
        }
    }

    /// <summary>Whether a message of <paramref name="priority"/> may enter <paramref name="roomId"/> now.</summary>
    public bool TryAdmit(string roomId, MessagePriority priority, long nowMs)
    {
        var rate = RateOf(roomId);
        if (rate <= 0)
        {
            return true;
        }

        var cap = _caps.GetOrAdd(roomId, static (_, s) => new RoomIngressCap(s.rate, s.highShare, s.nowMs), (rate, highShare, nowMs));
        return cap.TryAdmit(priority, nowMs);
    }

    /// <summary>Forgets the buckets of rooms that have been quiet long enough to be full again.</summary>
    public void Sweep(long nowMs)
    {
        foreach (var (roomId, cap) in _caps)
        {
            if (nowMs - cap.LastMs > 10_000 && cap.IsFull(nowMs))
            {
                _caps.TryRemove(roomId, out _);
            }
        }
    }
}
