using System.Text;
using PipeChat.Protocol.Chat;
using PipeChat.Server.Buffers;
using PipeChat.Server.Connections;
using PipeChat.Server.Rooms;
using PipeChat.Server.Routing;

namespace PipeChat.Server.Chat;

/// <summary>
/// mute, ban, recall and readonly: from a room's moderators over the socket (the token's mod
/// claim; anyone else gets forbidden) and from app backends over the server API. The state goes
/// to <see cref="IModeration"/>; what it does to connections on every node (a ban putting the
/// user out, a recall event) goes through the <see cref="IChatRouter"/>.
/// </summary>
internal sealed class ModerationRequests(IModeration moderation, IChatRouter router)
{
    private const int MaxIdChars = ChatRequestParser.MaxIdLength;

    /// <summary>A member's moderation request.</summary>
    public Task Handle(IWebSocketConnection session, ChatConnectionState state, in ChatRequest request)
    {
        Span<char> room = stackalloc char[MaxIdChars];
        room = room[..Encoding.UTF8.GetChars(request.RoomId, room)];
        if (!state.Access.Moderates(room))
        {
            ChatReplies.Error(session, ChatErrors.NotModerator, request.Ref);
            return Task.CompletedTask;
        }

        var roomId = room.ToString();
        return request.Type switch
        {
            ChatRequestType.Mute => Mute(session, roomId, Encoding.UTF8.GetString(request.TargetId), request.Seconds, request.Ref),
            ChatRequestType.Ban => Ban(session, roomId, Encoding.UTF8.GetString(request.TargetId), request.Seconds, request.Ref),
            ChatRequestType.Recall => Recall(session, roomId, request.Seq, session.UserId, request.Ref),
            _ => ReadOnly(session, roomId, request.On, request.Ref),
        };
    }

    /// <summary>Mutes (seconds 0 lifts, null: until lifted) and acks.</summary>
    public Task Mute(IRoomMember reply, string roomId, string userId, long? seconds, ReadOnlySpan<byte> reference)
        => AckWhenDone(reply, moderation.Mute(roomId, userId, seconds), reference);

    /// <summary>Bans (seconds 0 lifts, null: until lifted), puts the user out of the room on every node, and acks.</summary>
    public Task Ban(IRoomMember reply, string roomId, string userId, long? seconds, ReadOnlySpan<byte> reference)
        => AckWhenDone(reply, BanAndEvict(roomId, userId, seconds), reference);

    public Task ReadOnly(IRoomMember reply, string roomId, bool on, ReadOnlySpan<byte> reference)
        => AckWhenDone(reply, moderation.SetReadOnly(roomId, on), reference);

    /// <summary>Recalls message <paramref name="seq"/> (<paramref name="by"/>: the moderator's id, or the API's from).</summary>
    public Task Recall(IRoomMember reply, string roomId, long seq, string by, ReadOnlySpan<byte> reference)
        => router.Recall(reply, roomId, seq, by, reference);

    private async Task BanAndEvict(string roomId, string userId, long? seconds)
    {
        await moderation.Ban(roomId, userId, seconds).ConfigureAwait(false);
        if (seconds != 0)
        {
            await router.Evict(roomId, userId).ConfigureAwait(false);
        }
    }

    private static Task AckWhenDone(IRoomMember reply, Task work, ReadOnlySpan<byte> reference)
    {
        if (work.IsCompletedSuccessfully)
        {
            ChatReplies.Ack(reply, reference);
            return Task.CompletedTask;
        }

        return AckLater(reply, work, reference.ToArray());
    }

    private static async Task AckLater(IRoomMember reply, Task work, byte[] reference)
    {
        try
        {
            await work.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The store failed (Redis unreachable): nothing is known to hold.
            ChatReplies.Error(reply, ChatErrors.Internal, reference);
            return;
        }

        ChatReplies.Ack(reply, reference);
    }

    /// <summary>The error a refused room send gets (muted: with the seconds left).</summary>
    public static void Refuse(IRoomMember session, SendCheck check, long? secondsLeft, ReadOnlySpan<byte> reference)
    {
        if (check == SendCheck.ReadOnly)
        {
            ChatReplies.Error(session, ChatErrors.ReadOnly, reference);
            return;
        }

        var frame = SharedFrame.Rent(160 + reference.Length);
        ModerationMessageWriter.WriteErrorWithSeconds(frame, ChatErrors.Muted, secondsLeft, reference);
        ChatReplies.Send(session, frame);
    }

    /// <summary>The error a banned user's join gets.</summary>
    public static void RefuseBanned(IRoomMember session, long? secondsLeft, ReadOnlySpan<byte> reference)
    {
        var frame = SharedFrame.Rent(160 + reference.Length);
        ModerationMessageWriter.WriteErrorWithSeconds(frame, ChatErrors.Banned, secondsLeft, reference);
        ChatReplies.Send(session, frame);
    }
}
