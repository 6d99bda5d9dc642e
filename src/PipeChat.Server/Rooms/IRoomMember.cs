using PipeChat.Server.Buffers;

namespace PipeChat.Server.Rooms;

/// <summary>What rooms, presence and the chat layer see of one member connection (the session, a test double, the API's reply sink).</summary>
public interface IRoomMember
{
    /// <summary>Process-unique connection number.</summary>
    long ConnectionId { get; }

    /// <summary>The authenticated user id (several connections may share one).</summary>
    string UserId { get; }

    /// <summary>
    /// Queues a sealed frame for this connection without waiting. Takes its own reference on
    /// success; the caller keeps (and later releases) its own. Returns false, taking no
    /// reference, when the connection is closing or has just exceeded its outbound limit (it
    /// then closes itself with 1008); the sender carries on regardless.
    /// </summary>
    bool TrySend(SharedFrame frame);
}
