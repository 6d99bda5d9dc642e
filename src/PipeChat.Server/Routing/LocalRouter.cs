using PipeChat.Protocol.Chat;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Buffers;
using PipeChat.Server.Rooms;

namespace PipeChat.Server.Routing;

/// <summary>
/// A single node: the cluster is this process. Room messages are numbered, kept and fanned out
/// by the room's <see cref="RoomChannel"/> (encoded once, posted, fanned out through the room's
/// feed); joins and history reads queue on the same channel; users and broadcasts go to the
/// <see cref="UserDirectory"/>. Every answer but a queued join or history read goes out before
/// the call returns. The Redis router uses the same operations when Redis is unreachable.
/// </summary>
internal sealed class LocalRouter(RoutingSettings settings, RoomRegistry rooms, RoomChannels channels, UserDirectory users) : IChatRouter
{
    private readonly PresenceGrace _grace = new(settings.PresenceGraceSeconds);

    /// <summary>Told of each connection put out of a room by <see cref="EvictLocal"/> (the chat layer drops the room from the connection's list).</summary>
    public Action<IRoomMember, Room>? Evicted { get; set; }

    public bool Degraded => false;

    public RoutingSettings Settings => settings;

    public RoomRegistry Rooms => rooms;

    public RoomChannels Channels => channels;

    public UserDirectory Users => users;

    public void Start()
    {
    }

    public void Dispose()
    {
    }

    public void AddGauges(List<(string Name, string Help, long Value)> gauges)
    {
    }

    public void ConnectionOpened(IRoomMember connection, UserAddStatus added)
    {
    }

    public void ConnectionClosed(IRoomMember connection, UserRemoveStatus removed)
    {
    }

    public Task Join(IRoomMember member, ConnectionRooms joined, ReadOnlySpan<char> roomId, ReadOnlySpan<byte> reference, long? since, ReadOnlySpan<byte> epoch)
    {
        var id = roomId.ToString();
        return Run(id, new RoomJoin(rooms, member, joined, id, reference.ToArray(), since, epoch.ToArray(), settings.PresenceLimit, _grace.Enabled ? _grace : null));
    }

    /// <summary>Queues <paramref name="work"/> on the room's channel; complete at once unless the channel was busy.</summary>
    public Task Run(ReadOnlySpan<char> roomId, RoomChannelWork work)
    {
        channels.GetOrCreate(roomId).Run(work);
        return work.IsFinished ? Task.CompletedTask : work.Completion;
    }

    public Task Leave(IRoomMember member, Room room, ReadOnlySpan<byte> reference)
    {
        var remaining = AnnounceLeave(member, room, rooms.Leave(room, member));
        SendLeft(member, room, remaining, reference);
        return Task.CompletedTask;
    }

    public void Drop(IRoomMember member, Room room)
    {
        var status = rooms.Leave(room, member);
        if (status == RoomLeaveStatus.Left && _grace.Enabled)
        {
            // The connection dropped (a mini-program in the background): the others hear of it only if the user is not back within the grace.
            _grace.Hold(room.Id, member.UserId);
            _ = Task.Delay(_grace.Period).ContinueWith(
                static (_, s) =>
                {
                    var (router, roomId, userId) = ((LocalRouter, string, string))s!;
                    router.Channels.GetOrCreate(roomId).Run(new HeldLeave(router._grace, router.Rooms, userId, router.Settings.PresenceLimit));
                },
                (this, room.Id, member.UserId),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            return;
        }

        AnnounceLeave(member, room, status);
    }

    /// <summary>After the member left the room (<paramref name="status"/>): tells the local members when the room is within the presence limit; the members left.</summary>
    public int AnnounceLeave(IRoomMember member, Room room, RoomLeaveStatus status, bool announce = true)
    {
        if (status == RoomLeaveStatus.LeftAndClosed)
        {
            return 0;
        }

        var count = room.MemberCount;
        if (status == RoomLeaveStatus.Left && announce && count < settings.PresenceLimit)
        {
            var leaveEvent = SharedFrame.Rent(64 + (room.Id.Length * 6) + member.UserId.Length);
            ChatMessageWriter.WriteLeaveEvent(leaveEvent, room.Id, member.UserId, count);
            leaveEvent.Seal(WebSocketOpcode.Text);
            room.Publish(leaveEvent);
            leaveEvent.Release();
        }

        return count;
    }

    public static void SendLeft(IRoomMember member, Room room, int remaining, ReadOnlySpan<byte> reference)
    {
        var left = SharedFrame.Rent(96 + (room.Id.Length * 6) + reference.Length);
        ChatMessageWriter.WriteLeft(left, reference, room.Id, remaining);
        ChatReplies.Send(member, left);
    }

    public Task Publish(IRoomMember sender, string roomId, Room? room, SharedFrame frame, int seqSlot, ReadOnlySpan<byte> reference, Task? previous)
    {
        SharedFrame? ack = null;
        var ackSlot = 0;
        if (!reference.IsEmpty)
        {
            ack = SharedFrame.Rent(64 + reference.Length);
            ChatMessageWriter.WriteAck(ack, reference, out ackSlot);
        }

        channels.GetOrCreate(roomId).Post(new PendingRoomMessage(room, frame, seqSlot, sender, ack, ackSlot, Lookup: room is null ? rooms : null));
        return Task.CompletedTask;
    }

    public Task History(IRoomMember member, ReadOnlySpan<char> roomId, ReadOnlySpan<byte> reference, long before, int limit)
        => Run(roomId, new HistoryRead(member, reference.ToArray(), before, limit));

    public Task SendToUser(IRoomMember sender, ReadOnlySpan<char> target, SharedFrame frame, ReadOnlySpan<byte> reference)
    {
        var reached = users.SendToUser(target, frame);
        frame.Release();
        if (reached == 0)
        {
            ChatReplies.Error(sender, ChatErrors.Offline, reference);
        }
        else
        {
            ChatReplies.Ack(sender, reference);
        }

        return Task.CompletedTask;
    }

    public Task Broadcast(IRoomMember sender, SharedFrame frame, ReadOnlySpan<byte> reference)
    {
        users.Broadcast(frame);
        frame.Release();
        ChatReplies.Ack(sender, reference);
        return Task.CompletedTask;
    }

    public Task QueryMembers(IRoomMember asker, ReadOnlySpan<char> roomId, ReadOnlySpan<byte> reference)
    {
        var members = rooms.TryGetRoom(roomId, out var room) ? room.GetUsers(settings.QueryMaxMembers) : default;
        SendMembers(asker, roomId, members.UserCount, members.UserIds is { } list ? [.. list] : [], reference);
        return Task.CompletedTask;
    }

    public void SendMembers(IRoomMember asker, ReadOnlySpan<char> roomId, int count, string[] ids, ReadOnlySpan<byte> reference)
    {
        var size = 128 + (roomId.Length * 6) + reference.Length;
        foreach (var id in ids)
        {
            size += (id.Length * 6) + 3;
        }

        var reply = SharedFrame.Rent(size);
        ChatMessageWriter.WriteMembers(reply, reference, roomId, count, ids, settings.QueryMaxMembers);
        ChatReplies.Send(asker, reply);
    }

    public Task QueryOnline(IRoomMember asker, ReadOnlySpan<char> userId, ReadOnlySpan<byte> reference)
    {
        SendOnline(asker, userId, users.ConnectionCount(userId), reference);
        return Task.CompletedTask;
    }

    public static void SendOnline(IRoomMember asker, ReadOnlySpan<char> userId, int connections, ReadOnlySpan<byte> reference)
    {
        var online = SharedFrame.Rent(96 + (userId.Length * 6) + reference.Length);
        ChatMessageWriter.WriteOnline(online, reference, userId, connections);
        ChatReplies.Send(asker, online);
    }

    public Task<bool> DisconnectElsewhere(string userId, long connection, byte[] reason) => Task.FromResult(false);

    public Task Recall(IRoomMember asker, string roomId, long seq, string by, ReadOnlySpan<byte> reference)
    {
        var work = new RecallWork(rooms, seq, by);
        var reply = reference.ToArray();
        var run = Run(roomId, work);
        if (run.IsCompleted)
        {
            AnswerRecall(asker, work.Found, reply);
            return Task.CompletedTask;
        }

        return run.ContinueWith(_ => AnswerRecall(asker, work.Found, reply), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    public static void AnswerRecall(IRoomMember asker, bool found, ReadOnlySpan<byte> reference)
    {
        if (found)
        {
            ChatReplies.Ack(asker, reference);
        }
        else
        {
            ChatReplies.Error(asker, ChatErrors.RecallNotFound, reference);
        }
    }

    public Task Evict(string roomId, string userId)
    {
        EvictLocal(roomId, userId, (member, room) => AnnounceLeave(member, room, rooms.Leave(room, member)));
        return Task.CompletedTask;
    }

    /// <summary>
    /// Puts this node's connections of <paramref name="userId"/> out of the room: <paramref name="leave"/>
    /// removes each (and tells the members, returning how many remain), then the connection gets a
    /// <c>left</c> with reason banned and <see cref="Evicted"/> is told.
    /// </summary>
    public void EvictLocal(string roomId, string userId, Func<IRoomMember, Room, int> leave)
    {
        if (!rooms.TryGetRoom(roomId, out var room))
        {
            return;
        }

        List<IRoomMember>? found = null;
        foreach (var member in room.GetMembers())
        {
            if (string.Equals(member.UserId, userId, StringComparison.Ordinal))
            {
                (found ??= []).Add(member);
            }
        }

        foreach (var member in found ?? [])
        {
            var remaining = leave(member, room);
            Evicted?.Invoke(member, room);
            var left = SharedFrame.Rent(128 + (room.Id.Length * 6));
            ModerationMessageWriter.WriteRemoved(left, room.Id, remaining, "banned");
            ChatReplies.Send(member, left);
        }
    }
}
