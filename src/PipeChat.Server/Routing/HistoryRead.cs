using PipeChat.Protocol.Chat;
using PipeChat.Server.Buffers;
using PipeChat.Server.Rooms;

namespace PipeChat.Server.Routing;

/// <summary>A page of a room's kept messages, read as the room channel's owner and answered as <c>history</c>.</summary>
internal sealed class HistoryRead(IRoomMember member, byte[] reference, long before, int limit) : RoomChannelWork
{
    protected internal override void Execute(RoomChannel channel)
    {
        channel.History.Trim(Environment.TickCount64);
        var (frames, more) = channel.History.Before(before, limit);
        var messages = new ReadOnlyMemory<byte>[frames.Count];
        var size = 160 + (channel.RoomId.Length * 6) + reference.Length;
        for (var i = 0; i < frames.Count; i++)
        {
            messages[i] = frames[i].PayloadMemory;
            size += messages[i].Length + 1;
        }

        var reply = SharedFrame.Rent(size);
        ChatMessageWriter.WriteHistory(reply, reference, channel.RoomId, channel.Epoch, more, messages);
        ChatReplies.Send(member, reply);
    }
}
