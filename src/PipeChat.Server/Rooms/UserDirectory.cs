using System.Collections.Concurrent;
using PipeChat.Server.Buffers;

namespace PipeChat.Server.Rooms;

/// <summary>
/// Who is connected to this node: each user's live connections (several per user: mini-programs
/// open up to five sockets, plus other devices) for private messages and presence, and every
/// connection for broadcast. Senders read without locks or allocation; adds and removes lock
/// only the one user's entry (and, briefly, the all-connections set).
/// </summary>
public sealed class UserDirectory
{
    private readonly ConcurrentDictionary<string, UserConnections> _users = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, UserConnections>.AlternateLookup<ReadOnlySpan<char>> _byName;
    private readonly Lock _allLock = new();
    private readonly MemberSet _all = new();
    private int _userCount;

    public UserDirectory() => _byName = _users.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Connections registered now.</summary>
    public int TotalConnections => _all.Count;

    /// <summary>Users with at least one connection now.</summary>
    public int TotalUsers => Volatile.Read(ref _userCount);

    /// <summary>Registers a connection under its <see cref="IRoomMember.UserId"/>, unless the user already holds <paramref name="maxPerUser"/>.</summary>
    public UserAddStatus TryAdd(IRoomMember connection, int maxPerUser)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPerUser, 1);
        while (true)
        {
            var entry = _users.GetOrAdd(connection.UserId, static id => new UserConnections(id));
            UserAddStatus status;
            switch (entry.TryAdd(connection, maxPerUser))
            {
                case UserAddOutcome.AlreadyAdded:
                    return UserAddStatus.AlreadyAdded;
                case UserAddOutcome.LimitReached:
                    return UserAddStatus.LimitReached;
                case UserAddOutcome.Closed:
                    RemoveEntry(entry);
                    continue;
                case UserAddOutcome.AddedFirst:
                    Interlocked.Increment(ref _userCount);
                    status = UserAddStatus.CameOnline;
                    break;
                default:
                    status = UserAddStatus.Added;
                    break;
            }

            lock (_allLock)
            {
                _all.Add(connection);
            }

            return status;
        }
    }

    /// <summary>Unregisters a connection (on close).</summary>
    public UserRemoveStatus Remove(IRoomMember connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (!_users.TryGetValue(connection.UserId, out var entry))
        {
            return UserRemoveStatus.NotFound;
        }

        var last = entry.Remove(connection);
        if (last is null)
        {
            return UserRemoveStatus.NotFound;
        }

        lock (_allLock)
        {
            _all.Remove(connection);
        }

        if (last.Value)
        {
            RemoveEntry(entry);
            Interlocked.Decrement(ref _userCount);
            return UserRemoveStatus.WentOffline;
        }

        return UserRemoveStatus.Removed;
    }

    /// <summary>Offers the frame to every connection of the user (but <paramref name="except"/>); 0 means offline here.</summary>
    public int SendToUser(ReadOnlySpan<char> userId, SharedFrame frame, IRoomMember? except = null) =>
        _byName.TryGetValue(userId, out var entry) ? entry.Send(frame, except) : 0;

    public bool IsOnline(ReadOnlySpan<char> userId) => ConnectionCount(userId) > 0;

    public int ConnectionCount(ReadOnlySpan<char> userId) =>
        _byName.TryGetValue(userId, out var entry) ? entry.Count : 0;

    /// <summary>Offers the frame to every connection (but <paramref name="except"/>): lock-free, allocation-free.</summary>
    public int Broadcast(SharedFrame frame, IRoomMember? except = null) => _all.Send(frame, except);

    /// <summary>A lock-free, allocation-free scan of every connection.</summary>
    public MemberEnumerator GetConnections() => _all.GetEnumerator();

    /// <summary>The user's entry as registered now (tests and diagnostics).</summary>
    internal UserConnections? FindEntry(ReadOnlySpan<char> userId) => _byName.TryGetValue(userId, out var entry) ? entry : null;

    private void RemoveEntry(UserConnections entry) =>
        _users.TryRemove(new KeyValuePair<string, UserConnections>(entry.UserId, entry));
}
