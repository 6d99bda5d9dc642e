using System.Text;
using PipeChat.Server.Configuration;
using PipeChat.Protocol.Chat;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Buffers;
using PipeChat.Server.Rooms;
using PipeChat.Server.Routing;

namespace PipeChat.Server.Chat;

/// <summary>The requests about users and everyone (notice, broadcast, query), for members and for the server API.</summary>
internal sealed class UserRequests(ServerOptions options, IChatRouter router)
{
    private const int MaxIdChars = ChatRequestParser.MaxIdLength;

    private static readonly ChatError s_broadcastDisabled = new(ChatErrorCodes.Forbidden, "broadcast is disabled on this server");

    public Task Notice(IRoomMember session, in ChatRequest request)
    {
        Span<char> target = stackalloc char[MaxIdChars];
        target = target[..Encoding.UTF8.GetChars(request.TargetId, target)];
        return SendPrivate(session, target, session.UserId, request.Data, request.Ref);
    }

    /// <summary>A private message from a member or from the server API: every connection of <paramref name="target"/>, on any node; the sender gets an ack or error offline.</summary>
    public Task SendPrivate(IRoomMember sender, ReadOnlySpan<char> target, ReadOnlySpan<char> from, ReadOnlySpan<byte> data, ReadOnlySpan<byte> reference)
    {
        var frame = SharedFrame.Rent(64 + from.Length + data.Length);
        ChatMessageWriter.WriteNotice(frame, from, data);
        frame.Seal(WebSocketOpcode.Text);
        return router.SendToUser(sender, target, frame, reference);
    }

    public Task Broadcast(IRoomMember session, in ChatRequest request)
    {
        if (!options.AllowBroadcast)
        {
            ChatReplies.Error(session, s_broadcastDisabled, request.Ref);
            return Task.CompletedTask;
        }

        return BroadcastFrom(session, session.UserId, request.Data, request.Ref);
    }

    /// <summary>A broadcast from a member or from the server API: every connection on every node.</summary>
    public Task BroadcastFrom(IRoomMember sender, ReadOnlySpan<char> from, ReadOnlySpan<byte> data, ReadOnlySpan<byte> reference)
    {
        var frame = SharedFrame.Rent(64 + from.Length + data.Length);
        ChatMessageWriter.WriteBroadcast(frame, from, data);
        frame.Seal(WebSocketOpcode.Text);
        return router.Broadcast(sender, frame, reference);
    }

    /// <summary>A room's members (<paramref name="roomIdUtf8"/> set) or a user's presence, for a member's query or the server API.</summary>
    public Task Query(IRoomMember asker, ReadOnlySpan<byte> roomIdUtf8, ReadOnlySpan<byte> userIdUtf8, ReadOnlySpan<byte> reference)
    {
        Span<char> id = stackalloc char[MaxIdChars];
        if (!roomIdUtf8.IsEmpty)
        {
            return router.QueryMembers(asker, id[..Encoding.UTF8.GetChars(roomIdUtf8, id)], reference);
        }

        return router.QueryOnline(asker, id[..Encoding.UTF8.GetChars(userIdUtf8, id)], reference);
    }
}
