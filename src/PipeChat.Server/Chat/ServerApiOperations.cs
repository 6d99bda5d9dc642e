using PipeChat.Protocol.Chat;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Connections;
using PipeChat.Server.Rooms;
using PipeChat.Server.Routing;

namespace PipeChat.Server.Chat;

/// <summary>
/// What the server API (docs/api.md, src/PipeChat.Server/Http/Api) asks of the chat layer. Each
/// call runs the very code a member's request runs (same envelope, seq, history, cluster
/// fan-out); the answer that code would send to the member (ack, error, members, online) goes to
/// the <c>reply</c> sink instead, which the API turns into its HTTP response.
/// </summary>
internal sealed class ServerApiOperations(RoomRegistry rooms, UserDirectory users, RoomRequests roomRequests, UserRequests userRequests, IChatRouter router, ModerationRequests moderation, RoomAdmission admission)
{
    /// <summary>mute, ban, recall, readonly for the API (their acks go to the reply sink; pass <see cref="Ref"/>).</summary>
    public ModerationRequests Moderation => moderation;

    /// <summary>The ref the API's requests carry, for the moderation calls.</summary>
    public static ReadOnlySpan<byte> Ref => ApiRef;

    /// <summary>The ref the API's requests carry (raw JSON, as a client's), so the shared code acks them.</summary>
    private static ReadOnlySpan<byte> ApiRef => "\"api\""u8;

    /// <summary>A room message from the app's backend: any priority (high included), subject to the room's ingress cap like a member's.</summary>
    public Task Publish(IRoomMember reply, string roomId, string from, ReadOnlySpan<byte> data, MessagePriority priority = MessagePriority.Normal)
        => admission.AdmitToRoom(reply, roomId, priority, ApiRef)
            ? roomRequests.Publish(reply, roomId, null, from, data, ApiRef, null, priority)
            : Task.CompletedTask;

    public Task Notice(IRoomMember reply, string target, string from, ReadOnlySpan<byte> data)
        => userRequests.SendPrivate(reply, target, from, data, ApiRef);

    public Task Broadcast(IRoomMember reply, string from, ReadOnlySpan<byte> data)
        => userRequests.BroadcastFrom(reply, from, data, ApiRef);

    /// <summary>Replies <c>members</c> (<paramref name="roomIdUtf8"/> set) or <c>online</c> (<paramref name="userIdUtf8"/>), counting every node with Redis.</summary>
    public Task Query(IRoomMember reply, ReadOnlySpan<byte> roomIdUtf8, ReadOnlySpan<byte> userIdUtf8)
        => userRequests.Query(reply, roomIdUtf8, userIdUtf8, ApiRef);

    /// <summary>Replies <c>history</c>: the room's last <paramref name="limit"/> kept messages (recalled ones as tombstones), from the cluster's history with Redis.</summary>
    public Task History(IRoomMember reply, string roomId, int limit)
        => router.History(reply, roomId, ApiRef, long.MaxValue, limit);

    /// <summary>This node's rooms with the most member connections, largest first.</summary>
    public List<(string Id, int Members, int Users)> LargestRooms(int limit) => rooms.Largest(limit);

    /// <summary>Connections registered with the chat layer, users online and rooms, on this node.</summary>
    public (int Connections, int Users, int Rooms) LocalCounts => (users.TotalConnections, users.TotalUsers, rooms.RoomCount);

    /// <summary>
    /// Closes the user's connections (all, or the one numbered <paramref name="connection"/>) with
    /// 1008 and <paramref name="reason"/>, on every node. True when at least one connection (here)
    /// or one node holding the user (elsewhere) was told.
    /// </summary>
    public async Task<bool> DisconnectAsync(string userId, long connection, byte[] reason)
    {
        var closed = DisconnectLocal(users, userId, connection, reason);
        return await router.DisconnectElsewhere(userId, connection, reason) || closed > 0;
    }

    /// <summary>Closes this node's connections of the user (rare: a scan of the node's connections).</summary>
    public static int DisconnectLocal(UserDirectory users, string userId, long connection, ReadOnlySpan<byte> reason)
    {
        if (users.ConnectionCount(userId) == 0)
        {
            return 0;
        }

        var closed = 0;
        foreach (var candidate in users.GetConnections())
        {
            if (candidate is IWebSocketConnection session && string.Equals(session.UserId, userId, StringComparison.Ordinal)
                && (connection == 0 || session.ConnectionId == connection))
            {
                session.RequestClose(WebSocketCloseCodes.PolicyViolation, reason);
                closed++;
            }
        }

        return closed;
    }
}
