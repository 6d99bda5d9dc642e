using System.Text;
using PipeChat.Server.Configuration;
using PipeChat.Protocol.Chat;
using PipeChat.Server.Buffers;
using PipeChat.Server.Connections;
using PipeChat.Server.Rooms;
using PipeChat.Server.Routing;

namespace PipeChat.Server.Chat;

/// <summary>The room requests (join, leave, room, history): checked here against the connection's rooms and limits, carried out by the router.</summary>
internal sealed class RoomRequests(ServerOptions options, RoomRegistry rooms, IChatRouter router, RoomAdmission admission)
{
    private const int MaxIdChars = ChatRequestParser.MaxIdLength;
    private const int MaxHistoryPage = 100;

    public Task Join(IWebSocketConnection session, ChatConnectionState state, in ChatRequest request)
    {
        Span<char> roomId = stackalloc char[MaxIdChars];
        roomId = roomId[..Encoding.UTF8.GetChars(request.RoomId, roomId)];
        if (state.Rooms.Find(roomId) is null && state.Rooms.Count >= options.MaxRoomsPerConnection)
        {
            ChatReplies.Error(session, ChatErrors.TooManyRooms, request.Ref);
            return Task.CompletedTask;
        }

        return router.Join(session, state.Rooms, roomId, request.Ref, request.Since, request.Epoch);
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
        if (state.Rooms.Find(roomId) is null && !(options.AllowSendWithoutJoin && rooms.TryGetRoom(roomId, out _)))
        {
            ChatReplies.Error(session, ChatErrors.NotInRoom, request.Ref);
            return Task.CompletedTask;
        }

        return router.History(session, roomId, request.Ref, request.Before ?? long.MaxValue, Math.Min(request.Limit ?? 50, MaxHistoryPage));
    }

    public Task Send(IWebSocketConnection session, ChatConnectionState state, in ChatRequest request, Task? previous)
    {
        Span<char> roomId = stackalloc char[MaxIdChars];
        roomId = roomId[..Encoding.UTF8.GetChars(request.RoomId, roomId)];
        var room = state.Rooms.Find(roomId);
        if (room is null && !(options.AllowSendWithoutJoin && rooms.TryGetRoom(roomId, out room)))
        {
            ChatReplies.Error(session, ChatErrors.NotInRoom, request.Ref);
            return Task.CompletedTask;
        }

        if (!admission.AdmitMember(session, room.Id, request.Priority, request.Ref))
        {
            return Task.CompletedTask;
        }

        return Publish(session, room.Id, room, session.UserId, request.Data, request.Ref, previous, request.Priority);
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
