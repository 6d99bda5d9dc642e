using PipeChat.Server.Buffers;
using PipeChat.Server.Rooms;

namespace PipeChat.Server.ScaleOut;

/// <summary>A room message from the room's subscription (sealed, numbered by Redis), delivered in seq order as the channel's owner.</summary>
internal sealed class RedisRoomDelivery(RoomRegistry rooms, SharedFrame frame, long seq, string epoch) : RoomChannelWork
{
    protected internal override void Execute(RoomChannel channel)
        => RedisRoomOrder.Of(channel).Deliver(channel, rooms.TryGetRoom(channel.RoomId, out var room) ? room : null, frame, seq, epoch);
}
