using System.Runtime.InteropServices;
using PipeChat.Server.Buffers;
using PipeChat.Server.Connections;

namespace PipeChat.Server.Rooms;

/// <summary>
/// A chat room: its members, iterated without locks by <see cref="Publish"/>, and its message
/// sequence. Joins and leaves serialize on the room's own lock and cost O(1) at any size (see
/// <see cref="MemberSet"/>). A room is closed, under that lock, the moment its last member
/// leaves, and never reopens: <see cref="RoomRegistry"/> then removes it and a later join
/// creates a fresh room, so no joiner can land in a room that left the registry.
/// </summary>
public sealed class Room
{
    private readonly Lock _lock = new();
    private readonly Lock _publishLock = new();
    private readonly MemberSet _members = new();
    private readonly Dictionary<string, int> _connectionsPerUser = new(StringComparer.Ordinal);
    private long _lastSeq;
    private int _userCount;
    private bool _closed;

    internal Room(string id) => Id = id;

    public string Id { get; }

    /// <summary>Orders this room's chat messages and stamps their seq (see <see cref="RoomOutbox"/>).</summary>
    internal RoomOutbox Outbox { get; } = new();

    /// <summary>Member connections now.</summary>
    public int MemberCount => _members.Count;

    /// <summary>Distinct users among the members now.</summary>
    public int UserCount => Volatile.Read(ref _userCount);

    /// <summary>The sequence number of the latest message (0 before the first).</summary>
    public long LastSeq => Volatile.Read(ref _lastSeq);

    /// <summary>Segments of the membership (for tests and diagnostics).</summary>
    internal int SegmentCount => _members.Segments.Length;

    /// <summary>True once the last member has left; a closed room is never joined again.</summary>
    public bool IsClosed => Volatile.Read(ref _closed);

    /// <summary>Takes the next message sequence number: 1, 2, 3, … one per message.</summary>
    public long NextSeq() => Interlocked.Increment(ref _lastSeq);

    /// <summary>
    /// Offers the frame to every member except <paramref name="except"/>; a member whose
    /// <see cref="IChatConnection.TrySend"/> fails is skipped (it closes itself). Lock-free and
    /// allocation-free. Concurrent publishers to one room are not ordered against each other;
    /// <see cref="PublishNext"/> is the ordered form for sequenced room messages.
    /// </summary>
    /// <returns>How many members accepted the frame.</returns>
    public int Publish(SharedFrame frame, IChatConnection? except = null) => _members.Send(frame, except);

    /// <summary>
    /// Takes the next sequence number, lets <paramref name="build"/> write the frame carrying it,
    /// and publishes that frame, all under the room's sender lock: every member then receives
    /// this room's messages in sequence order. Only senders to this room wait on each other
    /// (for one fan-out, which never blocks on a recipient); joins, leaves and scans do not.
    /// </summary>
    /// <returns>The frame, with the reference <paramref name="build"/> gave it, for the caller to pass on (e.g. to a backplane) and release.</returns>
    public SharedFrame PublishNext<TState>(TState state, Func<TState, long, SharedFrame> build, IChatConnection? except, out int delivered)
        where TState : allows ref struct
    {
        ArgumentNullException.ThrowIfNull(build);
        lock (_publishLock)
        {
            var frame = build(state, NextSeq());
            delivered = _members.Send(frame, except);
            return frame;
        }
    }

    /// <summary>A lock-free scan of the members (allocation-free <c>foreach</c>).</summary>
    public MemberEnumerator GetMembers() => _members.GetEnumerator();

    /// <summary>Whether the connection is a member (takes the room lock briefly).</summary>
    public bool Contains(IChatConnection connection)
    {
        lock (_lock)
        {
            return _members.Contains(connection);
        }
    }

    /// <summary>Up to <paramref name="max"/> distinct user ids of the members, and the total number of distinct users.</summary>
    public RoomMembers GetUsers(int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        lock (_lock)
        {
            var ids = new string[Math.Min(max, _connectionsPerUser.Count)];
            var i = 0;
            foreach (var userId in _connectionsPerUser.Keys)
            {
                if (i == ids.Length)
                {
                    break;
                }

                ids[i++] = userId;
            }

            return new RoomMembers(ids, _connectionsPerUser.Count, _members.Count);
        }
    }

    internal RoomJoinOutcome TryJoin(IChatConnection connection, int maxMembers)
    {
        lock (_lock)
        {
            if (_closed)
            {
                return RoomJoinOutcome.Closed;
            }

            if (_members.Count >= maxMembers)
            {
                return _members.Contains(connection) ? RoomJoinOutcome.AlreadyMember : RoomJoinOutcome.Full;
            }

            if (!_members.Add(connection))
            {
                return RoomJoinOutcome.AlreadyMember;
            }

            ref var perUser = ref CollectionsMarshal.GetValueRefOrAddDefault(_connectionsPerUser, connection.UserId, out _);
            if (perUser++ == 0)
            {
                Volatile.Write(ref _userCount, _userCount + 1);
            }

            return _members.Count == 1 ? RoomJoinOutcome.JoinedFirst : RoomJoinOutcome.Joined;
        }
    }

    internal RoomLeaveStatus Leave(IChatConnection connection)
    {
        lock (_lock)
        {
            if (!_members.Remove(connection))
            {
                return RoomLeaveStatus.NotMember;
            }

            ref var perUser = ref CollectionsMarshal.GetValueRefOrNullRef(_connectionsPerUser, connection.UserId);
            if (--perUser == 0)
            {
                _connectionsPerUser.Remove(connection.UserId);
                Volatile.Write(ref _userCount, _userCount - 1);
            }

            if (_members.Count > 0)
            {
                return RoomLeaveStatus.Left;
            }

            Volatile.Write(ref _closed, true);
            return RoomLeaveStatus.LeftAndClosed;
        }
    }
}
