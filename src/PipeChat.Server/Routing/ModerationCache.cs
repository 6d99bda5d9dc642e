using System.Collections.Concurrent;

namespace PipeChat.Server.Routing;

/// <summary>
/// The moderation of every room this node knows of, in memory: what the per-message checks read.
/// With no room restricted (the common case) a check reads one counter; otherwise it is one
/// lock-free lookup by the room id's span and one by the user id; nothing is allocated.
/// </summary>
internal sealed class ModerationCache
{
    private readonly ConcurrentDictionary<string, RoomRestrictions> _rooms = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RoomRestrictions>.AlternateLookup<ReadOnlySpan<char>> _byName;
    private int _count;

    public ModerationCache() => _byName = _rooms.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Whether any room has restrictions (or had them since the last sweep).</summary>
    public bool Any => Volatile.Read(ref _count) != 0;

    public static long NowMs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public RoomRestrictions? Find(ReadOnlySpan<char> roomId) => Any && _byName.TryGetValue(roomId, out var room) ? room : null;

    public RoomRestrictions GetOrAdd(string roomId)
    {
        if (_rooms.TryGetValue(roomId, out var existing))
        {
            return existing;
        }

        var created = new RoomRestrictions();
        if (_rooms.TryAdd(roomId, created))
        {
            Interlocked.Increment(ref _count);
            return created;
        }

        return _rooms[roomId];
    }

    public SendCheck CheckSend(ReadOnlySpan<char> roomId, string userId, out long? secondsLeft)
    {
        secondsLeft = null;
        if (Find(roomId) is not { } room)
        {
            return SendCheck.Allowed;
        }

        if (room.ReadOnly)
        {
            return SendCheck.ReadOnly;
        }

        return RoomRestrictions.Holds(room.MutedUntil, userId, NowMs, out secondsLeft) ? SendCheck.Muted : SendCheck.Allowed;
    }

    public bool IsBanned(ReadOnlySpan<char> roomId, string userId, out long? secondsLeft)
    {
        secondsLeft = null;
        return Find(roomId) is { } room && RoomRestrictions.Holds(room.BannedUntil, userId, NowMs, out secondsLeft);
    }

    /// <summary>Drops the room's copy (it is read again from the store).</summary>
    public void Forget(string roomId)
    {
        if (_rooms.TryRemove(roomId, out _))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    /// <summary>Drops ended mutes and bans, and rooms left with nothing (<paramref name="keep"/>: rooms whose entry stays even when empty).</summary>
    public void Sweep(long nowMs, Func<string, bool>? keep = null)
    {
        foreach (var (roomId, room) in _rooms)
        {
            if (room.Sweep(nowMs) && keep?.Invoke(roomId) != true && _rooms.TryRemove(new KeyValuePair<string, RoomRestrictions>(roomId, room)))
            {
                Interlocked.Decrement(ref _count);
            }
        }
    }

    /// <summary>The end time (unix ms) of a mute or ban of <paramref name="seconds"/> from now: 0 lifts, null is until lifted.</summary>
    public static long EndOf(long? seconds) => seconds switch
    {
        null => RoomRestrictions.UntilLifted,
        0 => 0,
        { } s => NowMs + (Math.Min(s, 100L * 365 * 24 * 3600) * 1000),
    };
}
