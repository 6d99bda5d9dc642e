using PipeChat.Server.Buffers;

namespace PipeChat.Server.Rooms;

/// <summary>
/// The live connections of one user: a small copy-on-write array that senders read without a
/// lock. Closed under its lock when the last connection goes, like <see cref="Room"/>, so an
/// add never lands in an entry that left the directory.
/// </summary>
internal sealed class UserConnections
{
    private readonly Lock _lock = new();
    private IRoomMember[] _connections = [];
    private bool _closed;

    public UserConnections(string userId) => UserId = userId;

    public string UserId { get; }

    public int Count => Volatile.Read(ref _connections).Length;

    public UserAddOutcome TryAdd(IRoomMember connection, int maxPerUser)
    {
        lock (_lock)
        {
            if (_closed)
            {
                return UserAddOutcome.Closed;
            }

            var current = _connections;
            if (Array.IndexOf(current, connection) >= 0)
            {
                return UserAddOutcome.AlreadyAdded;
            }

            if (current.Length >= maxPerUser)
            {
                return UserAddOutcome.LimitReached;
            }

            var next = new IRoomMember[current.Length + 1];
            current.CopyTo(next, 0);
            next[^1] = connection;
            Volatile.Write(ref _connections, next);
            return next.Length == 1 ? UserAddOutcome.AddedFirst : UserAddOutcome.Added;
        }
    }

    /// <summary>Removes a connection; returns null if absent, else whether it was the last (the entry is now closed).</summary>
    public bool? Remove(IRoomMember connection)
    {
        lock (_lock)
        {
            var current = _connections;
            var index = Array.IndexOf(current, connection);
            if (index < 0)
            {
                return null;
            }

            if (current.Length == 1)
            {
                Volatile.Write(ref _connections, []);
                _closed = true;
                return true;
            }

            var next = new IRoomMember[current.Length - 1];
            current.AsSpan(0, index).CopyTo(next);
            current.AsSpan(index + 1).CopyTo(next.AsSpan(index));
            Volatile.Write(ref _connections, next);
            return false;
        }
    }

    public int Send(SharedFrame frame, IRoomMember? except)
    {
        var delivered = 0;
        foreach (var connection in Volatile.Read(ref _connections))
        {
            if (!ReferenceEquals(connection, except) && connection.TrySend(frame))
            {
                delivered++;
            }
        }

        return delivered;
    }
}
