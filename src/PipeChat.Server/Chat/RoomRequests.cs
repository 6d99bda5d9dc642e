using System.Text;
using PipeChat.Server.Configuration;
using PipeChat.Protocol.Chat;
using PipeChat.Server.Buffers;
using PipeChat.Server.Connections;
using PipeChat.Server.Content;
using PipeChat.Server.Rooms;
using PipeChat.Server.Routing;

namespace PipeChat.Server.Chat;

/// <summary>The room requests (join, leave, room, history): checked here against the connection's rooms, limits, permissions and moderation, admitted by the room's ingress cap, carried out by the router; a member's room message passes the content gate (word list, publish hook) on the way.</summary>
internal sealed class RoomRequests(ServerOptions options, RoomRegistry rooms, IChatRouter router, IRoomMessageGate gate, IModeration moderation, RoomAdmission admission) : IRoomPublisher
{
    private const int MaxIdChars = ChatRequestParser.MaxIdLength;
    private const int MaxHistoryPage = 100;

    public Task Join(IWebSocketConnection session, ChatConnectionState state, in ChatRequest request)
    {
        Span<char> roomId = stackalloc char[MaxIdChars];
        roomId = roomId[..Encoding.UTF8.GetChars(request.RoomId, roomId)];
        if (!state.Access.MayJoin(roomId))
        {
            ChatReplies.Error(session, ChatErrors.Forbidden, request.Ref);
            return Task.CompletedTask;
        }

        if (state.Rooms.Find(roomId) is null && state.Rooms.Count >= options.MaxRoomsPerConnection)
        {
            ChatReplies.Error(session, ChatErrors.TooManyRooms, request.Ref);
            return Task.CompletedTask;
        }

        if (moderation.PrepareJoin(roomId) is { } loading)
        {
            // The room's bans are being read from the store first.
            return JoinAfter(loading, session, state, roomId.ToString(), request.Ref.ToArray(), request.Since, request.Epoch.ToArray());
        }

        return JoinUnlessBanned(session, state, roomId, request.Ref, request.Since, request.Epoch);
    }

    private async Task JoinAfter(Task loading, IWebSocketConnection session, ChatConnectionState state, string roomId, byte[] reference, long? since, byte[] epoch)
    {
        await loading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await JoinUnlessBanned(session, state, roomId, reference, since, epoch).ConfigureAwait(false);
    }

    private Task JoinUnlessBanned(IWebSocketConnection session, ChatConnectionState state, ReadOnlySpan<char> roomId, ReadOnlySpan<byte> reference, long? since, ReadOnlySpan<byte> epoch)
    {
        if (moderation.IsBanned(roomId, session.UserId, out var secondsLeft) && !state.Access.Moderates(roomId))
        {
            ModerationRequests.RefuseBanned(session, secondsLeft, reference);
            return Task.CompletedTask;
        }

        return router.Join(session, state.Rooms, roomId, reference, since, epoch);
    }

    public Task Leave(IWebSocketConnection session, ChatConnectionState state, in ChatRequest request)
    {
        Span<char> roomId = stackalloc char[MaxIdChars];
        roomId = roomId[..Encoding.UTF8.GetChars(request.RoomId, roomId)];
        var room = state.Rooms.Find(roomId);
        if (room is null)
        {
            ChatReplies.Error(session, ChatErrors.NotInRoom, request.Ref);
            return Task.CompletedTask;
        }

        state.Rooms.Remove(room);
        return router.Leave(session, room, request.Ref);
    }

    public Task History(IWebSocketConnection session, ChatConnectionState state, in ChatRequest request)
    {
        Span<char> roomId = stackalloc char[MaxIdChars];
        roomId = roomId[..Encoding.UTF8.GetChars(request.RoomId, roomId)];
        if (!MayRead(session, state, roomId, request.Ref))
        {
            return Task.CompletedTask;
        }

        return router.History(session, roomId, request.Ref, request.Before ?? long.MaxValue, Math.Min(request.Limit ?? 50, MaxHistoryPage));
    }

    /// <summary>
    /// Whether the connection may read the room's history or members: the token allows the room
    /// (else <c>forbidden</c>) and the connection is a member, moderates it, or may send without
    /// joining to a room that exists (else <c>not_in_room</c>). Answers the error itself.
    /// </summary>
    public bool MayRead(IWebSocketConnection session, ChatConnectionState state, ReadOnlySpan<byte> roomIdUtf8, ReadOnlySpan<byte> reference)
    {
        Span<char> roomId = stackalloc char[MaxIdChars];
        return MayRead(session, state, roomId[..Encoding.UTF8.GetChars(roomIdUtf8, roomId)], reference);
    }

    /// <inheritdoc cref="MayRead(IWebSocketConnection, ChatConnectionState, ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>
    public bool MayRead(IWebSocketConnection session, ChatConnectionState state, ReadOnlySpan<char> roomId, ReadOnlySpan<byte> reference)
    {
        if (!state.Access.MayJoin(roomId))
        {
            ChatReplies.Error(session, ChatErrors.Forbidden, reference);
            return false;
        }

        if (state.Rooms.Find(roomId) is null && !state.Access.Moderates(roomId) && !(options.AllowSendWithoutJoin && rooms.TryGetRoom(roomId, out _)))
        {
            ChatReplies.Error(session, ChatErrors.NotInRoom, reference);
            return false;
        }

        return true;
    }

    public Task Send(IWebSocketConnection session, ChatConnectionState state, in ChatRequest request, Task? previous)
    {
        Span<char> roomId = stackalloc char[MaxIdChars];
        roomId = roomId[..Encoding.UTF8.GetChars(request.RoomId, roomId)];
        var room = state.Rooms.Find(roomId);
        if (room is null)
        {
            if (!(options.AllowSendWithoutJoin && rooms.TryGetRoom(roomId, out room)))
            {
                ChatReplies.Error(session, ChatErrors.NotInRoom, request.Ref);
                return Task.CompletedTask;
            }

            if (!state.Access.MayJoin(roomId))
            {
                // Sending without joining: only to rooms the token allows.
                ChatReplies.Error(session, ChatErrors.Forbidden, request.Ref);
                return Task.CompletedTask;
            }
        }

        // No restricted room (the common case): one counter read.
        var check = moderation.CheckSend(roomId, session.UserId, out var secondsLeft);
        if (check != SendCheck.Allowed && !state.Access.Moderates(roomId))
        {
            ModerationRequests.Refuse(session, check, secondsLeft, request.Ref);
            return Task.CompletedTask;
        }

        // High priority: the room's moderators (token claim mod) and its host (named by the server API).
        if (!admission.AdmitMember(session, room.Id, request.Priority, request.Ref, request.Priority == MessagePriority.High && state.Access.Moderates(roomId)))
        {
            return Task.CompletedTask;
        }

        return gate.Submit(this, session, room, request.Data, request.Ref, previous, request.Priority);
    }

    /// <summary>
    /// A room message from a member or from the server API (docs/api.md): encoded once here; the
    /// router stamps the seq, keeps it in history, fans the shared frame out to every member and
    /// acks <paramref name="sender"/> when <paramref name="reference"/> is set. <paramref name="priority"/> travels with
    /// the frame: what members that fall behind skip first (the caller has admitted it to the room).
    /// <paramref name="room"/> null: the room is looked up when the message is delivered (the
    /// API publishes to rooms it is not a member of, possibly empty ones).
    /// </summary>
    public Task Publish(IRoomMember sender, string roomId, Room? room, ReadOnlySpan<char> from, ReadOnlySpan<byte> data, ReadOnlySpan<byte> reference, Task? previous, MessagePriority priority = MessagePriority.Normal)
    {
        var frame = SharedFrame.Rent(160 + roomId.Length + from.Length + data.Length);
        ChatMessageWriter.WriteRoom(frame, roomId, from, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), data, out var seqSlot, priority);
        frame.Priority = priority;
        return router.Publish(sender, roomId, room, frame, seqSlot, reference, previous);
    }
}
