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
    private const int MaxHistoryPage = 100;

    private static readonly ChatError s_binaryNotSupported = new(ChatErrorCodes.BadRequest, "binary messages are not supported: send JSON as text");
    private static readonly ChatError s_broadcastDisabled = new(ChatErrorCodes.Forbidden, "broadcast is disabled on this server");

    public void OnMessage(IWebSocketConnection session, WebSocketOpcode type, ReadOnlySpan<byte> payload)
    {
        if (session.ApplicationState is not ChatConnectionState state || !state.Registered)
        {
            return;
        }

        if (_redis is null)
        {
            _ = Handle(session, state, type, payload);
            return;
        }

        Task? previous = null;
        if (state.Tail is { IsCompleted: false } tail)
        {
            if (state.TailIsRoomSends && IsRoomRequest(payload, type))
            {
                // Room sends pipeline: Redis runs them in the order sent; their acks wait for the earlier ones.
                previous = tail;
            }
            else
            {
                // An earlier request still waits on Redis: this one runs after it, so replies keep request order.
                state.TailIsRoomSends = false;
                state.Tail = tail.ContinueWith(
                    static (_, s) =>
                    {
                        var (application, session, state, type, copy) = ((ChatApplication, IWebSocketConnection, ChatConnectionState, WebSocketOpcode, byte[]))s!;
                        return application.Handle(session, state, type, copy);
                    },
                    (this, session, state, type, payload.ToArray()),
                    CancellationToken.None,
                    TaskContinuationOptions.None,
                    TaskScheduler.Default).Unwrap();
                return;
            }
        }

        state.RoomSendIssued = false;
        var pending = Handle(session, state, type, payload, previous);
        if (!pending.IsCompleted)
        {
            state.Tail = pending;
            state.TailIsRoomSends = state.RoomSendIssued;
        }
    }

    private static bool IsRoomRequest(ReadOnlySpan<byte> payload, WebSocketOpcode type)
    {
        Span<byte> scratch = stackalloc byte[ChatRequestParser.ScratchLength];
        return type == WebSocketOpcode.Text && ChatRequestParser.TryParse(payload, scratch, out var request, out _) && request.Type == ChatRequestType.Room;
    }

    /// <summary>
    /// Handles one request; the task is complete at once except where Redis is asked (scale-out).
    /// <paramref name="previous"/>: earlier room sends still waiting on Redis (only when this is one too).
    /// </summary>
    private Task Handle(IWebSocketConnection session, ChatConnectionState state, WebSocketOpcode type, ReadOnlySpan<byte> payload, Task? previous = null)
    {
        if (!state.Rate.TryTake(Environment.TickCount64))
        {
            if (state.Rate.Refusals >= _options.RateLimitBurst)
            {
                session.RequestClose(WebSocketCloseCodes.PolicyViolation, "rate limit exceeded"u8);
            }
            else
            {
                SendError(session, ChatErrors.RateLimited, default);
            }

            return Task.CompletedTask;
        }

        if (type != WebSocketOpcode.Text)
        {
            SendError(session, s_binaryNotSupported, default);
            return Task.CompletedTask;
        }

        if (payload.Length > _options.MaxChatPayloadBytes)
        {
            SendError(session, ChatErrors.TooLarge, default);
            return Task.CompletedTask;
        }

        Span<byte> scratch = stackalloc byte[ChatRequestParser.ScratchLength];
        if (!ChatRequestParser.TryParse(payload, scratch, out var request, out var error))
        {
            SendError(session, error, request.Ref);
            return Task.CompletedTask;
        }

        switch (request.Type)
        {
            case ChatRequestType.Join:
                return Join(session, state, request);
            case ChatRequestType.Leave:
                Leave(session, state, request);
                break;
            case ChatRequestType.Room:
                return SendToRoom(session, state, request, previous);
            case ChatRequestType.Notice:
                return SendNotice(session, request);
            case ChatRequestType.Broadcast:
                return Broadcast(session, request);
            case ChatRequestType.Query:
                return Query(session, request);
            case ChatRequestType.Ping:
                var pong = SharedFrame.Rent(32 + request.Ref.Length);
                ChatMessageWriter.WritePong(pong, request.Ref);
                SendAndRelease(session, pong);
                break;
            case ChatRequestType.History:
                return History(session, state, request);
            default:
                SendError(session, ChatErrors.UnknownType, request.Ref);
                break;
        }

        return Task.CompletedTask;
    }

    private Task Join(IWebSocketConnection session, ChatConnectionState state, in ChatRequest request)
    {
        Span<char> roomId = stackalloc char[MaxIdChars];
        roomId = roomId[..Encoding.UTF8.GetChars(request.RoomId, roomId)];
        if (state.Rooms.Find(roomId) is null && state.Rooms.Count >= _options.MaxRoomsPerConnection)
        {
            SendError(session, ChatErrors.TooManyRooms, request.Ref);
            return Task.CompletedTask;
        }

        if (_redis is not null)
        {
            return JoinScaleOutAsync(session, state, roomId.ToString(), request.Ref.ToArray(), request.Since, request.Epoch.ToArray());
        }

        JoinNow(session, state, roomId, request.Ref, request.Since, request.Epoch, null);
        return Task.CompletedTask;
    }

    private void JoinNow(IWebSocketConnection session, ChatConnectionState state, ReadOnlySpan<char> roomId, ReadOnlySpan<byte> reference, long? since, ReadOnlySpan<byte> epoch, RoomSnapshot? snapshot)
    {
        // Adding the member and replaying what it missed happen as the room channel's owner,
        // between two messages, so the client sees history then live messages with no gap.
        var join = new JoinRequest(this, session, state, roomId, reference, since, epoch, snapshot);
        while (!Channels.GetOrCreate(roomId).Exclusive(join, static (channel, join) => join.Application.JoinAsOwner(channel, join)))
        {
            // The channel was retired between lookup and ownership: take the room's new one.
        }
    }

    private void JoinAsOwner(RoomChannel channel, in JoinRequest join)
    {
        var session = join.Session;
        var room = join.State.Rooms.Find(join.RoomId);
        if (join.Snapshot is { } snapshot)
        {
            // Align the channel with Redis (epoch, and last seq when this is the first local member) before the joiner is added.
            channel.ApplySnapshot(snapshot, Rooms.TryGetRoom(join.RoomId, out var existing) ? existing : null, catchUp: false);
        }

        if (room is null)
        {
            var result = Rooms.Join(join.RoomId, session);
            if (result.Status == RoomJoinStatus.RoomFull)
            {
                _redis?.ReleaseRoom(channel.RoomId);
                SendError(session, ChatErrors.RoomFull, join.Ref);
                return;
            }

            room = result.Room;
            join.State.Rooms.Add(room);
            if (result.FirstMember)
            {
                _ = _backplane.SubscribeRoomAsync(room.Id);
            }

            // With Redis the event goes through the room's channel to members on every node.
            var count = room.MemberCount;
            if (_redis?.TryRoomPresence(room.Id, session.UserId, session.ConnectionId, 1) != true && count <= _options.PresenceLimit)
            {
                var joinEvent = SharedFrame.Rent(64 + room.Id.Length + session.UserId.Length);
                ChatMessageWriter.WriteJoinEvent(joinEvent, room.Id, session.UserId, count);
                joinEvent.Seal(WebSocketOpcode.Text);
                room.Publish(joinEvent, except: session);
                joinEvent.Release();
            }
        }

        channel.History.Trim(Environment.TickCount64);
        var lastSeq = channel.LastSeq;
        var joined = SharedFrame.Rent(128 + room.Id.Length + join.Ref.Length);
        ChatMessageWriter.WriteJoined(joined, join.Ref, room.Id, room.MemberCount, lastSeq, channel.Epoch);
        SendAndRelease(session, joined);
        if (join.Since is not { } since)
        {
            return;
        }

        var sameEpoch = join.Epoch.IsEmpty || Ascii.Equals(join.Epoch, channel.Epoch);
        if (join.Snapshot is { } joinSnapshot)
        {
            if (sameEpoch && channel.TryReplay(session, since, joinSnapshot))
            {
                return;
            }
        }
        else if (sameEpoch && since <= lastSeq && channel.History.Covers(since, lastSeq))
        {
            foreach (var frame in channel.History.After(since))
            {
                session.TrySend(frame);
            }

            return;
        }

        var reset = SharedFrame.Rent(128 + room.Id.Length + join.Ref.Length);
        ChatMessageWriter.WriteReset(reset, join.Ref, room.Id, lastSeq, channel.Epoch);
        SendAndRelease(session, reset);
    }

    private Task History(IWebSocketConnection session, ChatConnectionState state, in ChatRequest request)
    {
        Span<char> roomId = stackalloc char[MaxIdChars];
        roomId = roomId[..Encoding.UTF8.GetChars(request.RoomId, roomId)];
        if (state.Rooms.Find(roomId) is null && !(_options.AllowSendWithoutJoin && Rooms.TryGetRoom(roomId, out _)))
        {
            SendError(session, ChatErrors.NotInRoom, request.Ref);
            return Task.CompletedTask;
        }

        if (_redis is { IsConnected: true })
        {
            return HistoryScaleOutAsync(session, roomId.ToString(), request.Ref.ToArray(), request.Before ?? long.MaxValue, Math.Min(request.Limit ?? 50, MaxHistoryPage));
        }

        var query = new HistoryRequest(session, roomId, request.Ref, request.Before, Math.Min(request.Limit ?? 50, MaxHistoryPage));
        Channels.GetOrCreate(roomId).Exclusive(query, static (channel, query) =>
        {
            channel.History.Trim(Environment.TickCount64);
            var (frames, more) = channel.History.Before(query.Before ?? long.MaxValue, query.Limit);
            var messages = new ReadOnlyMemory<byte>[frames.Count];
            var size = 160 + (query.RoomId.Length * 6) + query.Ref.Length;
            for (var i = 0; i < frames.Count; i++)
            {
                messages[i] = frames[i].PayloadMemory;
                size += messages[i].Length + 1;
            }

            var reply = SharedFrame.Rent(size);
            ChatMessageWriter.WriteHistory(reply, query.Ref, query.RoomId, channel.Epoch, more, messages);
            SendAndRelease(query.Session, reply);
        });
        return Task.CompletedTask;
    }

    private void Leave(IWebSocketConnection session, ChatConnectionState state, in ChatRequest request)
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
    private int LeaveRoom(IWebSocketConnection session, Room room)
    {
        var status = Rooms.Leave(room, session);
        var sentThroughRedis = false;
        if (_redis is not null && status != RoomLeaveStatus.NotMember)
        {
            sentThroughRedis = _redis.TryRoomPresence(room.Id, session.UserId, session.ConnectionId, -1);
            _redis.ReleaseRoom(room.Id);
        }

        if (status == RoomLeaveStatus.LeftAndClosed)
        {
            _ = _backplane.UnsubscribeRoomAsync(room.Id);
            return 0;
        }

        var count = room.MemberCount;
        if (status == RoomLeaveStatus.Left && !sentThroughRedis && count < _options.PresenceLimit)
        {
            var leaveEvent = SharedFrame.Rent(64 + room.Id.Length + session.UserId.Length);
            ChatMessageWriter.WriteLeaveEvent(leaveEvent, room.Id, session.UserId, count);
            leaveEvent.Seal(WebSocketOpcode.Text);
            room.Publish(leaveEvent);
            leaveEvent.Release();
        }

        return count;
    }

    private Task SendToRoom(IWebSocketConnection session, ChatConnectionState state, in ChatRequest request, Task? previous)
    {
        Span<char> roomId = stackalloc char[MaxIdChars];
        roomId = roomId[..Encoding.UTF8.GetChars(request.RoomId, roomId)];
        var room = state.Rooms.Find(roomId);
        if (room is null && !(_options.AllowSendWithoutJoin && Rooms.TryGetRoom(roomId, out room)))
        {
            SendError(session, ChatErrors.NotInRoom, request.Ref);
            return Task.CompletedTask;
        }

        return PublishToRoom(session, state, room.Id, room, session.UserId, request.Data, request.Ref, previous);
    }

    /// <summary>
    /// A room message from a member or from the server API (docs/api.md): encoded once; the room's
    /// channel (or Redis) stamps the seq, keeps it in history, fans the shared frame out to every
    /// member and acks <paramref name="sender"/> when <paramref name="reference"/> is set.
    /// <paramref name="room"/> null: the room is looked up when the message is delivered (the
    /// API publishes to rooms it is not a member of, possibly empty ones).
    /// </summary>
    private Task PublishToRoom(IRoomMember sender, ChatConnectionState? state, string roomId, Room? room, ReadOnlySpan<char> from, ReadOnlySpan<byte> data, ReadOnlySpan<byte> reference, Task? previous)
    {
        var frame = SharedFrame.Rent(160 + roomId.Length + from.Length + data.Length);
        ChatMessageWriter.WriteRoom(frame, roomId, from, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), data, out var seqSlot);
        if (_redis is { IsConnected: true })
        {
            // Redis gives the seq and publishes; every subscribed node (this one too) fans it out.
            var beforeSeq = frame.Payload[..seqSlot].ToArray();
            var afterSeq = frame.Payload[(seqSlot + ChatMessageWriter.SeqSlotWidth)..].ToArray();
            frame.Release();
            if (state is not null)
            {
                state.RoomSendIssued = true;
            }

            return SendToRoomScaleOutAsync(sender, roomId, room, beforeSeq, afterSeq, reference.ToArray(), previous);
        }

        PostLocally(sender, roomId, room, frame, seqSlot, reference);
        return Task.CompletedTask;
    }

    /// <summary>Single node, or Redis unreachable: this node's room channel stamps the seq.</summary>
    private void PostLocally(IRoomMember session, string roomId, Room? room, SharedFrame frame, int seqSlot, ReadOnlySpan<byte> reference)
    {
        SharedFrame? ack = null;
        var ackSlot = 0;
        if (!reference.IsEmpty)
        {
            ack = SharedFrame.Rent(64 + reference.Length);
            ChatMessageWriter.WriteAck(ack, reference, out ackSlot);
        }

        Channels.GetOrCreate(roomId).Post(new PendingRoomMessage(room, frame, seqSlot, session, ack, ackSlot, Lookup: room is null ? Rooms : null));
    }

    private Task SendNotice(IWebSocketConnection session, in ChatRequest request)
    {
        Span<char> target = stackalloc char[MaxIdChars];
        target = target[..Encoding.UTF8.GetChars(request.TargetId, target)];
        return SendPrivate(session, target, session.UserId, request.Data, request.Ref);
    }

    /// <summary>A private message from a member or from the server API: every connection of <paramref name="target"/>, on any node; the sender gets an ack or error offline.</summary>
    private Task SendPrivate(IRoomMember sender, ReadOnlySpan<char> target, ReadOnlySpan<char> from, ReadOnlySpan<byte> data, ReadOnlySpan<byte> reference)
    {
        var frame = SharedFrame.Rent(64 + from.Length + data.Length);
        ChatMessageWriter.WriteNotice(frame, from, data);
        frame.Seal(WebSocketOpcode.Text);
        if (_redis is { IsConnected: true })
        {
            return SendNoticeScaleOutAsync(sender, target.ToString(), frame, reference.ToArray());
        }

        var reached = Users.SendToUser(target, frame);
        frame.Release();
        if (reached == 0)
        {
            SendError(sender, ChatErrors.Offline, reference);
        }
        else
        {
            SendAck(sender, reference);
        }

        return Task.CompletedTask;
    }

    private Task Broadcast(IWebSocketConnection session, in ChatRequest request)
    {
        if (!_options.AllowBroadcast)
        {
            SendError(session, s_broadcastDisabled, request.Ref);
            return Task.CompletedTask;
        }

        return BroadcastFrom(session, session.UserId, request.Data, request.Ref);
    }

    /// <summary>A broadcast from a member or from the server API: every connection on every node.</summary>
    private Task BroadcastFrom(IRoomMember sender, ReadOnlySpan<char> from, ReadOnlySpan<byte> data, ReadOnlySpan<byte> reference)
    {
        var frame = SharedFrame.Rent(64 + from.Length + data.Length);
        ChatMessageWriter.WriteBroadcast(frame, from, data);
        frame.Seal(WebSocketOpcode.Text);
        if (_redis is { IsConnected: true })
        {
            return BroadcastScaleOutAsync(sender, frame, reference.ToArray());
        }

        Users.Broadcast(frame);
        frame.Release();
        SendAck(sender, reference);
        return Task.CompletedTask;
    }

    private Task Query(IWebSocketConnection session, in ChatRequest request) => Query(session, request.RoomId, request.TargetId, request.Ref);

    /// <summary>A room's members (<paramref name="roomIdBytes"/> set) or a user's presence, for a member's query or the server API.</summary>
    private Task Query(IRoomMember session, ReadOnlySpan<byte> roomIdBytes, ReadOnlySpan<byte> targetId, ReadOnlySpan<byte> reference)
    {
        if (_redis is { IsConnected: true })
        {
            return roomIdBytes.IsEmpty
                ? QueryOnlineScaleOutAsync(session, Encoding.UTF8.GetString(targetId), reference.ToArray())
                : QueryMembersScaleOutAsync(session, Encoding.UTF8.GetString(roomIdBytes), reference.ToArray());
        }

        QueryLocally(session, roomIdBytes, targetId, reference);
        return Task.CompletedTask;
    }

    private void QueryLocally(IRoomMember session, ReadOnlySpan<byte> roomIdBytes, ReadOnlySpan<byte> targetId, ReadOnlySpan<byte> reference)
    {
        if (!roomIdBytes.IsEmpty)
        {
            Span<char> roomId = stackalloc char[MaxIdChars];
            roomId = roomId[..Encoding.UTF8.GetChars(roomIdBytes, roomId)];
            var members = Rooms.TryGetRoom(roomId, out var room) ? room.GetUsers(_options.QueryMaxMembers) : default;
            var ids = members.UserIds is { } list ? list.ToArray() : [];
            var size = 128 + roomId.Length + reference.Length;
            foreach (var id in ids)
            {
                size += (id.Length * 6) + 3;
            }

            var reply = SharedFrame.Rent(size);
            ChatMessageWriter.WriteMembers(reply, reference, roomId, members.UserCount, ids, _options.QueryMaxMembers);
            SendAndRelease(session, reply);
            return;
        }

        Span<char> target = stackalloc char[MaxIdChars];
        target = target[..Encoding.UTF8.GetChars(targetId, target)];
        var online = SharedFrame.Rent(96 + (target.Length * 6) + reference.Length);
        ChatMessageWriter.WriteOnline(online, reference, target, Users.ConnectionCount(target));
        SendAndRelease(session, online);
    }

    private static void SendAck(IRoomMember connection, ReadOnlySpan<byte> reference)
    {
        if (reference.IsEmpty)
        {
            return;
        }

        var ack = SharedFrame.Rent(48 + reference.Length);
        ChatMessageWriter.WriteAck(ack, reference);
        SendAndRelease(connection, ack);
    }

    private static void SendError(IRoomMember connection, in ChatError error, ReadOnlySpan<byte> reference)
    {
        var frame = SharedFrame.Rent(96 + error.Message.Length + reference.Length);
        ChatMessageWriter.WriteError(frame, error, reference);
        SendAndRelease(connection, frame);
    }
}

/// <summary>What a join needs while it owns the room channel.</summary>
internal readonly ref struct JoinRequest(ChatApplication application, IWebSocketConnection session, ChatConnectionState state, ReadOnlySpan<char> roomId, ReadOnlySpan<byte> reference, long? since, ReadOnlySpan<byte> epoch, RoomSnapshot? snapshot)
{
    /// <summary>With Redis: the room as Redis holds it, read after this node subscribed to it.</summary>
    public RoomSnapshot? Snapshot { get; } = snapshot;

    public ChatApplication Application { get; } = application;

    public IWebSocketConnection Session { get; } = session;

    public ChatConnectionState State { get; } = state;

    public ReadOnlySpan<char> RoomId { get; } = roomId;

    public ReadOnlySpan<byte> Ref { get; } = reference;

    public long? Since { get; } = since;

    public ReadOnlySpan<byte> Epoch { get; } = epoch;
}

/// <summary>A history page request, answered while owning the room channel.</summary>
internal readonly ref struct HistoryRequest(IWebSocketConnection session, ReadOnlySpan<char> roomId, ReadOnlySpan<byte> reference, long? before, int limit)
{
    public IWebSocketConnection Session { get; } = session;

    public ReadOnlySpan<char> RoomId { get; } = roomId;

    public ReadOnlySpan<byte> Ref { get; } = reference;

    public long? Before { get; } = before;

    public int Limit { get; } = limit;
}
