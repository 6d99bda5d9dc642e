using PipeChat.Server.Rooms;

namespace PipeChat.Server.ScaleOut;

/// <summary>After Redis came back: the room channel catches up with the snapshot read from Redis (see <see cref="RedisRoomOrder.ApplySnapshot"/>).</summary>
internal sealed class RedisRoomCatchUp(RoomRegistry rooms, RoomSnapshot snapshot) : RoomChannelWork
{
    protected internal override void Execute(RoomChannel channel)
        => RedisRoomOrder.Of(channel).ApplySnapshot(channel, snapshot, rooms.TryGetRoom(channel.RoomId, out var room) ? room : null, catchUp: true);
}
