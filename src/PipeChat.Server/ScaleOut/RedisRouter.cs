using System.Buffers;
using Microsoft.Extensions.Logging;
using PipeChat.Protocol.Chat;
using PipeChat.Server.Buffers;
using PipeChat.Server.Rooms;
using PipeChat.Server.Routing;
using StackExchange.Redis;

namespace PipeChat.Server.ScaleOut;

/// <summary>
/// Several nodes over Redis (docs/scale-out.md). Redis numbers, keeps and publishes every room
/// message; every node subscribed to the room (those with local members, the sender's included)
/// fans it out through the room's <see cref="RoomChannel"/> in seq order. Notices go through a
/// channel per user, broadcasts through one channel, presence through per-node hashes. Each
/// operation falls back to what a single node does (<see cref="LocalRouter"/>) when Redis cannot
/// be reached, so local traffic keeps flowing.
/// </summary>
internal sealed class RedisRouter : IChatRouter
{
    private readonly LocalRouter _local;
    private readonly RedisLink _link;
    private readonly RedisSubscriptions _subscriptions;
    private readonly RedisPresence _presence;
    private readonly RedisRoomStore _store;
    private readonly RedisRecovery _recovery;
    private readonly RedisRoomModeration _moderation;

    /// <summary>--redis-wait-replicas: an ack promises replicas have the message, so a send Redis cannot take is refused, not numbered here.</summary>
    private readonly bool _durable;

    public RedisRouter(LocalRouter local, RedisSettings redis, ILogger logger, Action<string, long, byte[]> disconnectLocal)
    {
        _local = local;
        _link = new RedisLink(redis, logger);
        _subscriptions = new RedisSubscriptions(_link, local.Rooms, local.Channels, local.Users, disconnectLocal);
        _presence = new RedisPresence(_link, local.Settings, redis, local.Rooms, local.Users);
        _store = new RedisRoomStore(_link, local.Settings, redis.WaitReplicas);
        _durable = redis.WaitReplicas > 0;
        _recovery = new RedisRecovery(_link, _subscriptions, _presence, _store, local.Rooms, local.Channels, local.Settings.HistorySize);
        _moderation = new RedisRoomModeration(_link, local, (member, room) => LeaveRoom(member, room, out _));
        _subscriptions.ModerationMessage = _moderation.OnRoomMessage;
    }

    /// <summary>The connection to Redis (the moderation store shares it).</summary>
    public RedisLink Link => _link;

    private RoomRegistry Rooms => _local.Rooms;

    public bool Degraded => !(_link.IsConnected && _subscriptions.IsComplete);

    public void Start()
    {
        _link.Start();
        _subscriptions.Start();
        _recovery.Start();
    }

    public void Dispose()
    {
        _recovery.Dispose();
        _subscriptions.Stop();
        _link.Close(_presence.Leave);
    }

    public void AddGauges(List<(string Name, string Help, long Value)> gauges)
        => gauges.Add(("pipechat_redis_connected", "1 while Redis (the scale-out backplane) is reachable, 0 while this node serves local traffic only", _link.IsConnected ? 1 : 0));

    public void ConnectionOpened(IRoomMember connection, UserAddStatus added)
    {
        _presence.CountUser(connection.UserId, 1);
        if (added == UserAddStatus.CameOnline)
        {
            _subscriptions.UserChanged(connection.UserId);
        }
    }

    public void ConnectionClosed(IRoomMember connection, UserRemoveStatus removed)
    {
        if (removed == UserRemoveStatus.NotFound)
        {
            return;
        }

        _presence.CountUser(connection.UserId, -1);
        if (removed == UserRemoveStatus.WentOffline)
        {
            _subscriptions.UserChanged(connection.UserId);
        }
    }

    public Task Join(IRoomMember member, ConnectionRooms joined, ReadOnlySpan<char> roomId, ReadOnlySpan<byte> reference, long? since, ReadOnlySpan<byte> epoch)
        => JoinAsync(member, joined, roomId.ToString(), reference.ToArray(), since, epoch.ToArray());

    private async Task JoinAsync(IRoomMember member, ConnectionRooms joined, string roomId, byte[] reference, long? since, byte[] epoch)
    {
        RoomSnapshot? snapshot = null;
        try
        {
            // Subscribe first, read Redis second: every message after the snapshot then arrives
            // on the subscription, and the room channel drops what the snapshot already had.
            var subscribed = joined.Find(roomId) is not null ? _link.IsConnected : await _subscriptions.AcquireRoomAsync(roomId);
            if (subscribed)
            {
                // Only a resuming client needs messages: the others need the epoch and last seq.
                snapshot = await _store.ReadAsync(roomId, since ?? 0, since is null ? 0 : _local.Settings.HistorySize);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            snapshot = null;
        }

        await _local.Run(roomId, new RedisRoomJoin(Rooms, member, joined, roomId, reference, since, epoch, _local.Settings.PresenceLimit, snapshot, _presence, _subscriptions));
    }

    public Task Leave(IRoomMember member, Room room, ReadOnlySpan<byte> reference)
    {
        var remaining = LeaveRoom(member, room, out var presence);
        if (presence is null || presence.IsCompleted)
        {
            LocalRouter.SendLeft(member, room, remaining, reference);
            return Task.CompletedTask;
        }

        // The member's next request may go to another node: answer once Redis has the leave.
        return SendLeftAfter(presence, member, room, remaining, reference.ToArray());
    }

    private static async Task SendLeftAfter(Task presence, IRoomMember member, Room room, int remaining, byte[] reference)
    {
        await presence.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        LocalRouter.SendLeft(member, room, remaining, reference);
    }

    public void Drop(IRoomMember member, Room room)
    {
        var hold = _local.Settings.PresenceGraceSeconds > 0;
        LeaveRoom(member, room, out var presence, hold);
        if (hold && presence is not null)
        {
            // Redis holds the leave; after the grace it goes out unless the user joined the room again, on any node.
            _ = ReleaseLeaveLaterAsync(presence, room.Id, member.UserId, member.ConnectionId);
        }
    }

    public Task Recall(IRoomMember asker, string roomId, long seq, string by, ReadOnlySpan<byte> reference)
        => _link.IsConnected ? _moderation.RecallAsync(asker, roomId, seq, by, reference.ToArray()) : _local.Recall(asker, roomId, seq, by, reference);

    public Task Evict(string roomId, string userId) => _moderation.EvictAsync(roomId, userId);

    private async Task ReleaseLeaveLaterAsync(Task held, string roomId, string userId, long connectionId)
    {
        await held;
        await Task.Delay(TimeSpan.FromSeconds(_local.Settings.PresenceGraceSeconds));
        if (_link.IsConnected)
        {
            await _presence.ReleaseLeaveAsync(roomId, userId, connectionId);
        }
    }

    /// <summary>Leaves the room; with Redis reachable the leave event goes through it (<paramref name="presence"/>: its script; held by the grace with <paramref name="hold"/>), else to the local members.</summary>
    private int LeaveRoom(IRoomMember member, Room room, out Task? presence, bool hold = false)
    {
        presence = null;
        var status = Rooms.Leave(room, member);
        if (status != RoomLeaveStatus.NotMember)
        {
            presence = _presence.TryRoomPresence(room.Id, member.UserId, member.ConnectionId, -1, hold);
            _subscriptions.ReleaseRoom(room.Id);
        }

        return _local.AnnounceLeave(member, room, status, announce: presence is null);
    }

    public Task Publish(IRoomMember sender, string roomId, Room? room, SharedFrame frame, int seqSlot, ReadOnlySpan<byte> reference, Task? previous)
    {
        if (!_link.IsConnected)
        {
            if (_durable)
            {
                frame.Release();
                ChatReplies.Error(sender, ChatErrors.Internal, reference);
                return Task.CompletedTask;
            }

            return PublishLocally(sender, roomId, room, frame, seqSlot, reference);
        }

        // Redis gives the seq and publishes; every subscribed node (this one too) fans it out.
        var beforeSeq = frame.Payload[..seqSlot].ToArray();
        var afterSeq = frame.Payload[(seqSlot + ChatMessageWriter.SeqSlotWidth)..].ToArray();
        frame.Release();
        return PublishAsync(sender, roomId, room, beforeSeq, afterSeq, reference.ToArray(), previous);
    }

    private Task PublishLocally(IRoomMember sender, string roomId, Room? room, SharedFrame frame, int seqSlot, ReadOnlySpan<byte> reference)
    {
        RedisRoomOrder.Of(_local.Channels.GetOrCreate(roomId)).MarkDivergent();
        return _local.Publish(sender, roomId, room, frame, seqSlot, reference, null);
    }

    private async Task PublishAsync(IRoomMember sender, string roomId, Room? room, byte[] beforeSeq, byte[] afterSeq, byte[] reference, Task? previous)
    {
        long seq;
        bool replicated;
        try
        {
            // Issued now (before the first await): Redis runs this connection's sends in order.
            (seq, replicated) = await _store.SendAsync(roomId, beforeSeq, afterSeq);
            if (previous is not null)
            {
                await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            if (previous is not null)
            {
                await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            if (_durable)
            {
                // Not known to be on the replicas (the room's master may have died): no ack; the client may send it again.
                ChatReplies.Error(sender, ChatErrors.Internal, reference);
                return;
            }

            // Redis went away under us: number and deliver the message here, as a single node would.
            var frame = SharedFrame.Rent(beforeSeq.Length + ChatMessageWriter.SeqSlotWidth + afterSeq.Length);
            frame.Write(beforeSeq);
            frame.GetSpan(ChatMessageWriter.SeqSlotWidth)[..ChatMessageWriter.SeqSlotWidth].Fill((byte)' ');
            frame.Advance(ChatMessageWriter.SeqSlotWidth);
            frame.Write(afterSeq);
            frame.Priority = OverloadMessageWriter.PriorityOf(frame.Payload);
            await PublishLocally(sender, roomId, room, frame, beforeSeq.Length, reference);
            return;
        }

        if (!replicated)
        {
            // Kept and delivered, but WAIT timed out short of the replicas asked for: the ack's promise does not hold.
            ChatReplies.Error(sender, ChatErrors.Internal, reference);
            return;
        }

        if (reference.Length > 0)
        {
            var ack = SharedFrame.Rent(64 + reference.Length);
            ChatMessageWriter.WriteAck(ack, reference, seq);
            ChatReplies.Send(sender, ack);
        }
    }

    public Task History(IRoomMember member, ReadOnlySpan<char> roomId, ReadOnlySpan<byte> reference, long before, int limit)
        => _link.IsConnected
            ? HistoryAsync(member, roomId.ToString(), reference.ToArray(), before, limit)
            : _local.History(member, roomId, reference, before, limit);

    private async Task HistoryAsync(IRoomMember member, string roomId, byte[] reference, long before, int limit)
    {
        string? epoch;
        List<HistoryEntry> entries;
        bool more;
        try
        {
            (epoch, entries, more) = await _store.HistoryPageAsync(roomId, before, limit);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            ChatReplies.Error(member, ChatErrors.Internal, reference);
            return;
        }

        var messages = new ReadOnlyMemory<byte>[entries.Count];
        var size = 160 + (roomId.Length * 6) + reference.Length;
        for (var i = 0; i < entries.Count; i++)
        {
            messages[i] = entries[i].Json;
            size += messages[i].Length + 1;
        }

        var reply = SharedFrame.Rent(size);
        ChatMessageWriter.WriteHistory(reply, reference, roomId, epoch ?? _local.Channels.GetOrCreate(roomId).Epoch, more, messages);
        ChatReplies.Send(member, reply);
    }

    public Task SendToUser(IRoomMember sender, ReadOnlySpan<char> target, SharedFrame frame, ReadOnlySpan<byte> reference)
        => _link.IsConnected
            ? SendToUserAsync(sender, target.ToString(), frame, reference.ToArray())
            : _local.SendToUser(sender, target, frame, reference);

    private async Task SendToUserAsync(IRoomMember sender, string target, SharedFrame frame, byte[] reference)
    {
        long nodes;
        try
        {
            nodes = await _subscriptions.PublishUserAsync(target, frame.Payload.ToArray());
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            nodes = 0;
        }

        if (nodes > 0)
        {
            frame.Release();
            ChatReplies.Ack(sender, reference);
            return;
        }

        // No node subscribed: offline, unless the user is here and this node's subscription is not up yet (or Redis failed).
        await _local.SendToUser(sender, target, frame, reference);
    }

    public Task Broadcast(IRoomMember sender, SharedFrame frame, ReadOnlySpan<byte> reference)
        => _link.IsConnected ? BroadcastAsync(sender, frame, reference.ToArray()) : _local.Broadcast(sender, frame, reference);

    private async Task BroadcastAsync(IRoomMember sender, SharedFrame frame, byte[] reference)
    {
        try
        {
            await _subscriptions.PublishBroadcastAsync(frame.Payload.ToArray());
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            await _local.Broadcast(sender, frame, reference);
            return;
        }

        frame.Release();
        ChatReplies.Ack(sender, reference);
    }

    public Task QueryMembers(IRoomMember asker, ReadOnlySpan<char> roomId, ReadOnlySpan<byte> reference)
        => _link.IsConnected ? QueryMembersAsync(asker, roomId.ToString(), reference.ToArray()) : _local.QueryMembers(asker, roomId, reference);

    private async Task QueryMembersAsync(IRoomMember asker, string roomId, byte[] reference)
    {
        int count;
        string[] ids;
        try
        {
            (count, ids) = await _presence.MembersAsync(roomId, _local.Settings.QueryMaxMembers);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            await _local.QueryMembers(asker, roomId, reference);
            return;
        }

        _local.SendMembers(asker, roomId, count, ids, reference);
    }

    public Task QueryOnline(IRoomMember asker, ReadOnlySpan<char> userId, ReadOnlySpan<byte> reference)
        => _link.IsConnected ? QueryOnlineAsync(asker, userId.ToString(), reference.ToArray()) : _local.QueryOnline(asker, userId, reference);

    private async Task QueryOnlineAsync(IRoomMember asker, string userId, byte[] reference)
    {
        int connections;
        try
        {
            connections = await _presence.OnlineAsync(userId);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            connections = _local.Users.ConnectionCount(userId);
        }

        LocalRouter.SendOnline(asker, userId, connections, reference);
    }

    public async Task<bool> DisconnectElsewhere(string userId, long connection, byte[] reason)
    {
        if (!_link.IsConnected)
        {
            return false;
        }

        try
        {
            // Nodes holding the user (this one too) get it on the user's channel; closing twice is harmless.
            return await _subscriptions.PublishDisconnectAsync(userId, connection, reason) > 0;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return false;
        }
    }
}
