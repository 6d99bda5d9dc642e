using PipeChat.Protocol.Chat;
using PipeChat.Server.Rooms;
using PipeChat.Server.Routing;
using StackExchange.Redis;

namespace PipeChat.Server.ScaleOut;

/// <summary>
/// What moderation does to rooms across nodes (docs/scale-out.md): a recall rewrites the kept
/// entry in Redis as a tombstone and is published on the room's channel; a ban's eviction is
/// published there too. Every node with members in the room then does the same locally.
/// </summary>
internal sealed class RedisRoomModeration(RedisLink link, LocalRouter local, Func<IRoomMember, Room, int> leave)
{
    public async Task RecallAsync(IRoomMember asker, string roomId, long seq, string by, byte[] reference)
    {
        bool found;
        try
        {
            var tombstone = new System.Buffers.ArrayBufferWriter<byte>(128);
            ModerationMessageWriter.WriteTombstone(tombstone, roomId, seq);
            var keys = RedisKeys.Room(roomId);
            var result = await link.Db.ScriptEvaluateAsync(
                RedisModerationScripts.Recall,
                [keys[0], keys[1]],
                [seq, tombstone.WrittenSpan.ToArray(), RedisKeys.RoomChannelName(roomId), RedisModerationWire.EncodeRecall(seq, by)]).ConfigureAwait(false);
            found = (long)result == 1;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            ScaleOutLog.OperationFailed(link.Logger, ex, "recall in room " + roomId);
            ChatReplies.Error(asker, ChatErrors.Internal, reference);
            return;
        }

        LocalRouter.AnswerRecall(asker, found, reference);
    }

    public async Task EvictAsync(string roomId, string userId)
    {
        try
        {
            if (link.IsConnected)
            {
                // Every node with members in the room (this one too) puts the user's connections out.
                await link.Subscriber.PublishAsync(RedisKeys.RoomChannel(roomId), RedisModerationWire.EncodeEviction(userId)).ConfigureAwait(false);
                return;
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            ScaleOutLog.OperationFailed(link.Logger, ex, "evict from room " + roomId);
        }

        local.EvictLocal(roomId, userId, leave);
    }

    /// <summary>A recall or an eviction from the room's channel.</summary>
    public void OnRoomMessage(string roomId, ReadOnlyMemory<byte> message)
    {
        if (RedisModerationWire.TryParseRecall(message.Span, out var seq, out var by))
        {
            // In order with the room's messages: the local copy becomes a tombstone, members here get the recall.
            local.Channels.GetOrCreate(roomId).Run(new RecallWork(local.Rooms, seq, by, anySeq: true));
        }
        else if (RedisModerationWire.TryParseEviction(message.Span, out var userId))
        {
            local.EvictLocal(roomId, userId, leave);
        }
        else
        {
            ScaleOutLog.BadMessage(link.Logger, roomId);
        }
    }
}
