using System.Text;
using PipeChat.Protocol.Chat;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Buffers;
using PipeChat.Server.Connections;
using PipeChat.Server.Rooms;

namespace PipeChat.Server.Chat;

/// <summary>Request handling: one method per request type.</summary>
internal sealed partial class ChatApplication
{
    private const int MaxIdChars = ChatRequestParser.MaxIdLength;

    private static readonly ChatError s_binaryNotSupported = new(ChatErrorCodes.BadRequest, "binary messages are not supported: send JSON as text");
    private static readonly ChatError s_broadcastDisabled = new(ChatErrorCodes.Forbidden, "broadcast is disabled on this server");
    private static readonly ChatError s_historyUnavailable = new(ChatErrorCodes.UnknownType, "history is not available on this server yet");

    public void OnMessage(WebSocketSession session, WebSocketOpcode type, ReadOnlySpan<byte> payload)
    {
        if (session.ApplicationState is not ChatConnectionState state || !state.Registered)
        {
            return;
        }

        if (type != WebSocketOpcode.Text)
        {
            SendError(session, s_binaryNotSupported, default);
            return;
        }

        if (payload.Length > _options.MaxChatPayloadBytes)
        {
            SendError(session, ChatErrors.TooLarge, default);
            return;
        }

        Span<byte> scratch = stackalloc byte[ChatRequestParser.ScratchLength];
        if (!ChatRequestParser.TryParse(payload, scratch, out var request, out var error))
        {
            SendError(session, error, request.Ref);
            return;
        }

        switch (request.Type)
        {
            case ChatRequestType.Join:
                Join(session, state, request);
                break;
            case ChatRequestType.Leave:
                Leave(session, state, request);
                break;
            case ChatRequestType.Room:
                SendToRoom(session, state, request);
                break;
            case ChatRequestType.Notice:
                SendNotice(session, request);
                break;
            case ChatRequestType.Broadcast:
                Broadcast(session, request);
                break;
            case ChatRequestType.Query:
                Query(session, request);
                break;
            case ChatRequestType.Ping:
                var pong = SharedFrame.Rent(32 + request.Ref.Length);
                ChatMessageWriter.WritePong(pong, request.Ref);
                SendAndRelease(session, pong);
                break;
            default:
                SendError(session, s_historyUnavailable, request.Ref);
                break;
        }
    }

    private void Join(WebSocketSession session, ChatConnectionState state, in ChatRequest request)
    {
        Span<char> roomId = stackalloc char[MaxIdChars];
        roomId = roomId[..Encoding.UTF8.GetChars(request.RoomId, roomId)];
        var room = state.Rooms.Find(roomId);
        if (room is null)
        {
            if (state.Rooms.Count >= _options.MaxRoomsPerConnection)
            {
                SendError(session, ChatErrors.TooManyRooms, request.Ref);
                return;
            }

            var result = Rooms.Join(roomId, session);
            if (result.Status == RoomJoinStatus.RoomFull)
            {
                SendError(session, ChatErrors.RoomFull, request.Ref);
                return;
            }

            room = result.Room;
            state.Rooms.Add(room);
            if (result.FirstMember)
            {
                _ = _backplane.SubscribeRoomAsync(room.Id);
            }

            var count = room.MemberCount;
            if (count <= _options.PresenceLimit)
            {
                var joinEvent = SharedFrame.Rent(64 + room.Id.Length + session.UserId.Length);
                ChatMessageWriter.WriteJoinEvent(joinEvent, room.Id, session.UserId, count);
                joinEvent.Seal(WebSocketOpcode.Text);
                room.Publish(joinEvent, except: session);
                joinEvent.Release();
            }
        }

        var joined = SharedFrame.Rent(96 + room.Id.Length + request.Ref.Length);
        ChatMessageWriter.WriteJoined(joined, request.Ref, room.Id, room.MemberCount, room.LastSeq);
        SendAndRelease(session, joined);
    }

    private void Leave(WebSocketSession session, ChatConnectionState state, in ChatRequest request)
    {
        Span<char> roomId = stackalloc char[MaxIdChars];
        roomId = roomId[..Encoding.UTF8.GetChars(request.RoomId, roomId)];
        var room = state.Rooms.Find(roomId);
        if (room is null)
        {
            SendError(session, ChatErrors.NotInRoom, request.Ref);
            return;
        }

        state.Rooms.Remove(room);
        var remaining = LeaveRoom(session, room);
        var left = SharedFrame.Rent(96 + room.Id.Length + request.Ref.Length);
        ChatMessageWriter.WriteLeft(left, request.Ref, room.Id, remaining);
        SendAndRelease(session, left);
    }

    /// <summary>Removes the connection from a room and tells the others (below the presence limit).</summary>
    private int LeaveRoom(WebSocketSession session, Room room)
    {
        var status = Rooms.Leave(room, session);
        if (status == RoomLeaveStatus.LeftAndClosed)
        {
            _ = _backplane.UnsubscribeRoomAsync(room.Id);
            return 0;
        }

        var count = room.MemberCount;
        if (status == RoomLeaveStatus.Left && count < _options.PresenceLimit)
        {
            var leaveEvent = SharedFrame.Rent(64 + room.Id.Length + session.UserId.Length);
            ChatMessageWriter.WriteLeaveEvent(leaveEvent, room.Id, session.UserId, count);
            leaveEvent.Seal(WebSocketOpcode.Text);
            room.Publish(leaveEvent);
            leaveEvent.Release();
        }

        return count;
    }

    private void SendToRoom(WebSocketSession session, ChatConnectionState state, in ChatRequest request)
    {
        Span<char> roomId = stackalloc char[MaxIdChars];
        roomId = roomId[..Encoding.UTF8.GetChars(request.RoomId, roomId)];
        var room = state.Rooms.Find(roomId);
        if (room is null && !(_options.AllowSendWithoutJoin && Rooms.TryGetRoom(roomId, out room)))
        {
            SendError(session, ChatErrors.NotInRoom, request.Ref);
            return;
        }

        // Encoded once; the room's outbox stamps the seq, frames it and shares it with every member.
        var frame = SharedFrame.Rent(160 + room.Id.Length + session.UserId.Length + request.Data.Length);
        ChatMessageWriter.WriteRoom(frame, room.Id, session.UserId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), request.Data, out var seqSlot);

        SharedFrame? ack = null;
        var ackSlot = 0;
        if (!request.Ref.IsEmpty)
        {
            ack = SharedFrame.Rent(64 + request.Ref.Length);
            ChatMessageWriter.WriteAck(ack, request.Ref, out ackSlot);
        }

        room.Outbox.Post(room, new PendingRoomMessage(frame, seqSlot, session, ack, ackSlot));
    }

    private void SendNotice(WebSocketSession session, in ChatRequest request)
    {
        Span<char> target = stackalloc char[MaxIdChars];
        target = target[..Encoding.UTF8.GetChars(request.TargetId, target)];
        var frame = SharedFrame.Rent(64 + session.UserId.Length + request.Data.Length);
        ChatMessageWriter.WriteNotice(frame, session.UserId, request.Data);
        frame.Seal(WebSocketOpcode.Text);
        var reached = Users.SendToUser(target, frame);
        frame.Release();
        if (reached == 0)
        {
            SendError(session, ChatErrors.Offline, request.Ref);
        }
        else
        {
            SendAck(session, request.Ref);
        }
    }

    private void Broadcast(WebSocketSession session, in ChatRequest request)
    {
        if (!_options.AllowBroadcast)
        {
            SendError(session, s_broadcastDisabled, request.Ref);
            return;
        }

        var frame = SharedFrame.Rent(64 + session.UserId.Length + request.Data.Length);
        ChatMessageWriter.WriteBroadcast(frame, session.UserId, request.Data);
        frame.Seal(WebSocketOpcode.Text);
        Users.Broadcast(frame);
        frame.Release();
        SendAck(session, request.Ref);
    }

    private void Query(WebSocketSession session, in ChatRequest request)
    {
        if (!request.RoomId.IsEmpty)
        {
            Span<char> roomId = stackalloc char[MaxIdChars];
            roomId = roomId[..Encoding.UTF8.GetChars(request.RoomId, roomId)];
            var members = Rooms.TryGetRoom(roomId, out var room) ? room.GetUsers(_options.QueryMaxMembers) : default;
            var ids = members.UserIds is { } list ? list.ToArray() : [];
            var size = 128 + roomId.Length + request.Ref.Length;
            foreach (var id in ids)
            {
                size += (id.Length * 6) + 3;
            }

            var reply = SharedFrame.Rent(size);
            ChatMessageWriter.WriteMembers(reply, request.Ref, roomId, members.UserCount, ids, _options.QueryMaxMembers);
            SendAndRelease(session, reply);
            return;
        }

        Span<char> target = stackalloc char[MaxIdChars];
        target = target[..Encoding.UTF8.GetChars(request.TargetId, target)];
        var online = SharedFrame.Rent(96 + (target.Length * 6) + request.Ref.Length);
        ChatMessageWriter.WriteOnline(online, request.Ref, target, Users.ConnectionCount(target));
        SendAndRelease(session, online);
    }

    private static void SendAck(IChatConnection connection, ReadOnlySpan<byte> reference)
    {
        if (reference.IsEmpty)
        {
            return;
        }

        var ack = SharedFrame.Rent(48 + reference.Length);
        ChatMessageWriter.WriteAck(ack, reference);
        SendAndRelease(connection, ack);
    }

    private static void SendError(IChatConnection connection, in ChatError error, ReadOnlySpan<byte> reference)
    {
        var frame = SharedFrame.Rent(96 + error.Message.Length + reference.Length);
        ChatMessageWriter.WriteError(frame, error, reference);
        SendAndRelease(connection, frame);
    }
}
