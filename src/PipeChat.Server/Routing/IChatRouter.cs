using PipeChat.Server.Buffers;
using PipeChat.Server.Rooms;

namespace PipeChat.Server.Routing;

/// <summary>
/// Where chat requests meet the rest of the cluster: room membership, numbered room messages
/// and their history, private messages, broadcasts, presence and the queries about them. One
/// implementation is chosen at start-up (<see cref="LocalRouter"/> for a single node, the Redis
/// router for several) and chat handlers never ask which. Every method answers the asking
/// member itself (ack, error, <c>joined</c>, <c>left</c>, <c>history</c>, <c>members</c>,
/// <c>online</c>), in the order the requests came, and returns a task that is already complete
/// when the answer went out at once (always so on a single node, except a join or history read
/// queued behind a busy room). Frames passed in belong to the router from then on.
/// </summary>
internal interface IChatRouter : IDisposable
{
    /// <summary>Whether the node serves local traffic only because the cluster is unreachable.</summary>
    bool Degraded { get; }

    /// <summary>Starts talking to the cluster (returns at once: it keeps retrying in the background).</summary>
    void Start();

    /// <summary>Gauges of the router itself, appended to the chat layer's.</summary>
    void AddGauges(List<(string Name, string Help, long Value)> gauges);

    /// <summary>A connection was added to the user directory (<paramref name="added"/> says whether its user just came online).</summary>
    void ConnectionOpened(IRoomMember connection, UserAddStatus added);

    /// <summary>A connection left the user directory (<paramref name="removed"/> says whether its user went offline).</summary>
    void ConnectionClosed(IRoomMember connection, UserRemoveStatus removed);

    /// <summary>
    /// Adds <paramref name="member"/> to the room (unless <paramref name="joined"/> has it already)
    /// and answers <c>joined</c>, then (with <paramref name="since"/>) the messages it missed or a
    /// <c>reset</c>, between two of the room's messages. <paramref name="joined"/> is touched only
    /// before the returned task completes.
    /// </summary>
    Task Join(IRoomMember member, ConnectionRooms joined, ReadOnlySpan<char> roomId, ReadOnlySpan<byte> reference, long? since, ReadOnlySpan<byte> epoch);

    /// <summary>Removes the member from the room (the caller removed it from its own list) and answers <c>left</c> once the others are being told.</summary>
    Task Leave(IRoomMember member, Room room, ReadOnlySpan<byte> reference);

    /// <summary>Removes a closing connection from the room; no answer.</summary>
    void Drop(IRoomMember member, Room room);

    /// <summary>
    /// Numbers, keeps and delivers a room message to every member on every node, and acks
    /// <paramref name="sender"/> with the seq when <paramref name="reference"/> is set.
    /// <paramref name="frame"/> holds the encoded message with a blank seq slot at <paramref name="seqSlot"/>.
    /// <paramref name="room"/> null: the room is looked up at delivery (the server API).
    /// <paramref name="previous"/>: the sender's earlier room sends still in flight (their acks go first).
    /// </summary>
    Task Publish(IRoomMember sender, string roomId, Room? room, SharedFrame frame, int seqSlot, ReadOnlySpan<byte> reference, Task? previous);

    /// <summary>Answers a page of the room's kept messages before seq <paramref name="before"/>.</summary>
    Task History(IRoomMember member, ReadOnlySpan<char> roomId, ReadOnlySpan<byte> reference, long before, int limit);

    /// <summary>Sends a sealed notice to every connection of <paramref name="target"/>; acks, or answers <c>offline</c>.</summary>
    Task SendToUser(IRoomMember sender, ReadOnlySpan<char> target, SharedFrame frame, ReadOnlySpan<byte> reference);

    /// <summary>Sends a sealed broadcast to every connection on every node; acks.</summary>
    Task Broadcast(IRoomMember sender, SharedFrame frame, ReadOnlySpan<byte> reference);

    /// <summary>Answers <c>members</c>: the room's users on every node.</summary>
    Task QueryMembers(IRoomMember asker, ReadOnlySpan<char> roomId, ReadOnlySpan<byte> reference);

    /// <summary>Answers <c>online</c>: the user's connections on every node.</summary>
    Task QueryOnline(IRoomMember asker, ReadOnlySpan<char> userId, ReadOnlySpan<byte> reference);

    /// <summary>
    /// Recalls message <paramref name="seq"/> of the room on every node: kept copies become a
    /// tombstone (same seq, no data) and the members get <c>recall</c>; acks <paramref name="asker"/>,
    /// or answers not_found when the room never had that seq.
    /// </summary>
    Task Recall(IRoomMember asker, string roomId, long seq, string by, ReadOnlySpan<byte> reference);

    /// <summary>
    /// Puts every connection of <paramref name="userId"/> out of the room on every node (a ban):
    /// the members see a leave, each connection gets a <c>left</c> with reason banned.
    /// </summary>
    Task Evict(string roomId, string userId);

    /// <summary>Asks the other nodes to close the user's connections (all, or number <paramref name="connection"/>); true when a node holding the user was told.</summary>
    Task<bool> DisconnectElsewhere(string userId, long connection, byte[] reason);
}
