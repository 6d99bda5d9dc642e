using System.Buffers;
using PipeChat.Protocol.Chat;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Buffers;
using PipeChat.Server.Connections;
using PipeChat.Server.Rooms;
using StackExchange.Redis;

namespace PipeChat.Server.Chat;

/// <summary>
/// Requests that ask Redis (with --redis, docs/scale-out.md). Each falls back to what a single
/// node does when Redis cannot be reached, so local traffic keeps flowing.
/// </summary>
internal sealed partial class ChatApplication
{
    private async Task JoinScaleOutAsync(IWebSocketConnection session, ChatConnectionState state, string roomId, byte[] reference, long? since, byte[] epoch)
    {
        var redis = _redis!;
        RoomSnapshot? snapshot = null;
        try
        {
            // Subscribe first, read Redis second: every message after the snapshot then arrives
            // on the subscription, and the room channel drops what the snapshot already had.
            var subscribed = state.Rooms.Find(roomId) is not null ? redis.IsConnected : await redis.AcquireRoomAsync(roomId);
            if (subscribed)
            {
                // Only a resuming client needs messages: the others need the epoch and last seq.
                snapshot = await redis.ReadRoomAsync(roomId, since ?? 0, since is null ? 0 : _options.HistorySize);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            snapshot = null;
        }

        JoinNow(session, state, roomId, reference, since, epoch, snapshot);
    }

    private async Task SendToRoomScaleOutAsync(IRoomMember session, string roomId, Room? room, byte[] beforeSeq, byte[] afterSeq, byte[] reference, Task? previous)
    {
        long seq;
        try
        {
            // Issued now (before the first await): Redis runs this connection's sends in order.
            var send = _redis!.SendRoomAsync(roomId, beforeSeq, afterSeq);
            seq = await send;
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

            // Redis went away under us: number and deliver the message here, as a single node would.
            var frame = SharedFrame.Rent(beforeSeq.Length + ChatMessageWriter.SeqSlotWidth + afterSeq.Length);
            frame.Write(beforeSeq);
            frame.GetSpan(ChatMessageWriter.SeqSlotWidth)[..ChatMessageWriter.SeqSlotWidth].Fill((byte)' ');
            frame.Advance(ChatMessageWriter.SeqSlotWidth);
            frame.Write(afterSeq);
            PostLocally(session, roomId, room, frame, beforeSeq.Length, reference);
            return;
        }

        if (reference.Length > 0)
        {
            var ack = SharedFrame.Rent(64 + reference.Length);
            ChatMessageWriter.WriteAck(ack, reference, seq);
            SendAndRelease(session, ack);
        }
    }

    private async Task HistoryScaleOutAsync(IWebSocketConnection session, string roomId, byte[] reference, long before, int limit)
    {
        string? epoch;
        List<HistoryEntry> entries;
        bool more;
        try
        {
            (epoch, entries, more) = await _redis!.HistoryPageAsync(roomId, before, limit);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            SendError(session, ChatErrors.Internal, reference);
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
        ChatMessageWriter.WriteHistory(reply, reference, roomId, epoch ?? Channels.GetOrCreate(roomId).Epoch, more, messages);
        SendAndRelease(session, reply);
    }

    private async Task SendNoticeScaleOutAsync(IRoomMember session, string target, SharedFrame frame, byte[] reference)
    {
        try
        {
            long nodes;
            try
            {
                nodes = await _redis!.PublishUserAsync(target, frame.Payload.ToArray());
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                nodes = 0;
            }

            // No node subscribed: offline, unless the user is here and this node's subscription is not up yet (or Redis failed).
            var reached = nodes > 0 ? 1 : Users.SendToUser(target, frame);
            if (reached == 0)
            {
                SendError(session, ChatErrors.Offline, reference);
            }
            else
            {
                SendAck(session, reference);
            }
        }
        finally
        {
            frame.Release();
        }
    }

    private async Task BroadcastScaleOutAsync(IRoomMember session, SharedFrame frame, byte[] reference)
    {
        try
        {
            try
            {
                await _redis!.PublishBroadcastAsync(frame.Payload.ToArray());
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                Users.Broadcast(frame);
            }

            SendAck(session, reference);
        }
        finally
        {
            frame.Release();
        }
    }

    private async Task QueryOnlineScaleOutAsync(IRoomMember session, string target, byte[] reference)
    {
        int connections;
        try
        {
            connections = await _redis!.OnlineAsync(target);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            connections = Users.ConnectionCount(target);
        }

        var online = SharedFrame.Rent(96 + (target.Length * 6) + reference.Length);
        ChatMessageWriter.WriteOnline(online, reference, target, connections);
        SendAndRelease(session, online);
    }

    private async Task QueryMembersScaleOutAsync(IRoomMember session, string roomId, byte[] reference)
    {
        int count;
        string[] ids;
        try
        {
            (count, ids) = await _redis!.MembersAsync(roomId, _options.QueryMaxMembers);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            QueryLocally(session, System.Text.Encoding.UTF8.GetBytes(roomId), default, reference);
            return;
        }

        var size = 128 + (roomId.Length * 6) + reference.Length;
        foreach (var id in ids)
        {
            size += (id.Length * 6) + 3;
        }

        var reply = SharedFrame.Rent(size);
        ChatMessageWriter.WriteMembers(reply, reference, roomId, count, ids, _options.QueryMaxMembers);
        SendAndRelease(session, reply);
    }
}
