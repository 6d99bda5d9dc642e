using PipeChat.Protocol.Chat;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Buffers;
using PipeChat.Server.Rooms;

namespace PipeChat.Server.Routing;

/// <summary>
/// A recall, run as the room channel's owner (between two of its messages): the kept copy of
/// message <paramref name="seq"/> becomes a tombstone, and the room's members here get the
/// <c>recall</c> event. <see cref="Found"/>: whether the room ever had that seq.
/// <paramref name="anySeq"/>: another store already checked the seq (this channel may not have seen it).
/// </summary>
internal sealed class RecallWork(RoomRegistry rooms, long seq, string by, bool anySeq = false) : RoomChannelWork
{
    public bool Found { get; private set; }

    protected internal override void Execute(RoomChannel channel)
    {
        if (seq < 1 || (seq > channel.LastSeq && !anySeq))
        {
            return;
        }

        Found = true;
        var tombstone = SharedFrame.Rent(96 + (channel.RoomId.Length * 6));
        ModerationMessageWriter.WriteTombstone(tombstone, channel.RoomId, seq);
        tombstone.Seal(WebSocketOpcode.Text);
        channel.History.Replace(seq, tombstone);
        tombstone.Release();
        if (rooms.TryGetRoom(channel.RoomId, out var room))
        {
            var recall = SharedFrame.Rent(96 + (channel.RoomId.Length * 6) + (by.Length * 6));
            ModerationMessageWriter.WriteRecall(recall, channel.RoomId, seq, by);
            recall.Seal(WebSocketOpcode.Text);
            room.Publish(recall);
            recall.Release();
        }
    }
}
