using System.Collections.Concurrent;

namespace PipeChat.Server.Routing;

/// <summary>
/// One room's moderation on this node: read-only, and the users muted and banned with when that
/// ends (unix ms; <see cref="UntilLifted"/>: until lifted). Reads are lock-free.
/// </summary>
internal sealed class RoomRestrictions
{
    /// <summary>The end of a mute or ban given no seconds.</summary>
    public const long UntilLifted = long.MaxValue;

    private volatile bool _readOnly;

    public bool ReadOnly
    {
        get => _readOnly;
        set => _readOnly = value;
    }

    public ConcurrentDictionary<string, long> MutedUntil { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, long> BannedUntil { get; } = new(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="userId"/> is in <paramref name="until"/> at <paramref name="nowMs"/>, and for how many seconds more (null: until lifted).</summary>
    public static bool Holds(ConcurrentDictionary<string, long> until, string userId, long nowMs, out long? secondsLeft)
    {
        secondsLeft = null;
        if (!until.TryGetValue(userId, out var end) || end <= nowMs)
        {
            return false;
        }

        if (end != UntilLifted)
        {
            secondsLeft = (end - nowMs + 999) / 1000;
        }

        return true;
    }

    /// <summary>Sets or lifts (<paramref name="end"/> 0) one entry.</summary>
    public static void Set(ConcurrentDictionary<string, long> until, string userId, long end)
    {
        if (end == 0)
        {
            until.TryRemove(userId, out _);
        }
        else
        {
            until[userId] = end;
        }
    }

    /// <summary>Drops entries that ended by <paramref name="nowMs"/>; true when nothing is left.</summary>
    public bool Sweep(long nowMs)
    {
        foreach (var map in (ReadOnlySpan<ConcurrentDictionary<string, long>>)[MutedUntil, BannedUntil])
        {
            foreach (var (user, end) in map)
            {
                if (end <= nowMs)
                {
                    map.TryRemove(new KeyValuePair<string, long>(user, end));
                }
            }
        }

        return !ReadOnly && MutedUntil.IsEmpty && BannedUntil.IsEmpty;
    }
}
