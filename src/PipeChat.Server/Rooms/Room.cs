using System.Runtime.InteropServices;
using PipeChat.Server.Buffers;

namespace PipeChat.Server.Rooms;

/// <summary>
/// A chat room's membership, iterated without locks by <see cref="Publish"/> (the message
/// sequence, epoch and history live in the room id's <see cref="RoomChannel"/>). Joins and leaves serialize on the room's own lock and cost O(1) at any size (see
/// <see cref="MemberSet"/>). A room is closed, under that lock, the moment its last member
/// leaves, and never reopens: <see cref="RoomRegistry"/> then removes it and a later join
/// creates a fresh room, so no joiner can land in a room that left the registry.
/// </summary>
public sealed class Room
{
    private readonly Lock _lock = new();
    private readonly MemberSet _members = new();
    private readonly RoomFeed _feed;
    private readonly Dictionary<string, int> _connectionsPerUser = new(StringComparer.Ordinal);
    private int _userCount;
    private bool _closed;

    internal Room(string id)
    {
        Id = id;
        _feed = new RoomFeed(id);
    }

    public string Id { get; }

    /// <summary>Member connections now.</summary>
    public int MemberCount => _members.Count;

    /// <summary>Distinct users among the members now.</summary>
    public int UserCount => Volatile.Read(ref _userCount);

    /// <summary>Segments of the membership (for tests and diagnostics).</summary>
    internal int SegmentCount => _members.Segments.Length;

    /// <summary>True once the last member has left; a closed room is never joined again.</summary>
    public bool IsClosed => Volatile.Read(ref _closed);

    /// <summary>
    /// Appends the frame to the room's <see cref="RoomFeed"/> (which keeps it) and wakes every
    /// member except <paramref name="except"/>; members that read the feed take it from there,
    /// others get <see cref="IRoomMember.TrySend"/>; a member that refuses is skipped (it
    /// closes itself). The member scan is lock-free and
    /// allocation-free (the append takes the feed's short lock). Concurrent publishers to one room are not ordered against each other;
    /// sequenced room messages are ordered by the room's <see cref="RoomChannel"/>. Members that
    /// stay get the frame exactly once; a connection that leaves and rejoins during the call is two
    /// memberships and may get it once from each (the channel's owner joins members between
    /// two messages, so this never happens to sequenced messages).
    /// </summary>
    /// <returns>How many members accepted the frame.</returns>
    public int Publish(SharedFrame frame, IRoomMember? except = null)
    {
        _feed.Append(frame, except);

        // In a room of one the copy is in effect a reply to the sender; otherwise FanoutScope.
        var outer = FanoutScope.Enter(_members.Count > 1);
        try
        {
            return _members.Send(frame, except, _feed);
        }
        finally
        {
            FanoutScope.Exit(outer);
        }
    }

    /// <summary>A lock-free scan of the members (allocation-free <c>foreach</c>).</summary>
    public MemberEnumerator GetMembers() => _members.GetEnumerator();

    /// <summary>Whether the connection is a member (takes the room lock briefly).</summary>
    public bool Contains(IRoomMember connection)
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

    internal RoomJoinOutcome TryJoin(IRoomMember connection, int maxMembers)
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

            // After the add: a publish that appends after the cursor opens also sees the member.
            (connection as IFeedReader)?.Subscribe(_feed);

            ref var perUser = ref CollectionsMarshal.GetValueRefOrAddDefault(_connectionsPerUser, connection.UserId, out _);
            if (perUser++ == 0)
            {
                Volatile.Write(ref _userCount, _userCount + 1);
            }

            return _members.Count == 1 ? RoomJoinOutcome.JoinedFirst : RoomJoinOutcome.Joined;
        }
    }

    internal RoomLeaveStatus Leave(IRoomMember connection)
    {
        lock (_lock)
        {
            if (!_members.Remove(connection))
            {
                return RoomLeaveStatus.NotMember;
            }

            (connection as IFeedReader)?.Unsubscribe(_feed);

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
