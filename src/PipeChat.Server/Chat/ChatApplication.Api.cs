using PipeChat.Protocol.Framing;
using PipeChat.Server.Rooms;
using PipeChat.Server.Connections;
using StackExchange.Redis;

namespace PipeChat.Server.Chat;

/// <summary>
/// What the server API (docs/api.md, src/PipeChat.Server/Http/Api) asks of the chat layer. Each
/// call runs the very code a member's request runs (same envelope, seq, history, Redis fan-out);
/// the reply that code would send to the member (ack, error, members, online) goes to
/// <paramref name="reply"/> instead, which the API turns into its HTTP response.
/// </summary>
internal sealed partial class ChatApplication
{
    /// <summary>The ref the API's requests carry (raw JSON, as a client's), so the shared code acks them.</summary>
    private static ReadOnlySpan<byte> ApiRef => "\"api\""u8;

    public Task ApiPublish(IRoomMember reply, string roomId, string from, ReadOnlySpan<byte> data)
        => PublishToRoom(reply, null, roomId, null, from, data, ApiRef, null);

    public Task ApiNotice(IRoomMember reply, string target, string from, ReadOnlySpan<byte> data)
        => SendPrivate(reply, target, from, data, ApiRef);

    public Task ApiBroadcast(IRoomMember reply, string from, ReadOnlySpan<byte> data)
        => BroadcastFrom(reply, from, data, ApiRef);

    /// <summary>Replies <c>members</c> (<paramref name="roomIdUtf8"/> set) or <c>online</c> (<paramref name="userIdUtf8"/>), counting every node with Redis.</summary>
    public Task ApiQuery(IRoomMember reply, ReadOnlySpan<byte> roomIdUtf8, ReadOnlySpan<byte> userIdUtf8)
        => Query(reply, roomIdUtf8, userIdUtf8, ApiRef);

    /// <summary>Connections registered with the chat layer, users online and rooms, on this node.</summary>
    public (int Connections, int Users, int Rooms) LocalCounts => (Users.TotalConnections, Users.TotalUsers, Rooms.RoomCount);

    /// <summary>
    /// Closes the user's connections (all, or the one numbered <paramref name="connection"/>) with
    /// 1008 and <paramref name="reason"/>, on every node with Redis. True when at least one
    /// connection (here) or one node holding the user (Redis) was told.
    /// </summary>
    public async Task<bool> ApiDisconnectAsync(string userId, long connection, byte[] reason)
    {
        var closed = DisconnectLocal(userId, connection, reason);
        if (_redis is not { IsConnected: true })
        {
            return closed > 0;
        }

        try
        {
            // Nodes holding the user (this one too) get it on the user's channel; closing twice is harmless.
            return await _redis.PublishDisconnectAsync(userId, connection, reason) > 0 || closed > 0;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return closed > 0;
        }
    }

    /// <summary>Closes this node's connections of the user (rare: a scan of the node's connections).</summary>
    internal int DisconnectLocal(string userId, long connection, ReadOnlySpan<byte> reason)
    {
        if (Users.ConnectionCount(userId) == 0)
        {
            return 0;
        }

        var closed = 0;
        foreach (var candidate in Users.GetConnections())
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
