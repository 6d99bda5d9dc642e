using PipeChat.Server.Buffers;
using PipeChat.Server.Rooms;

namespace PipeChat.Server.ScaleOut;

/// <summary>
/// A join or leave event from the room's subscription (sealed), fanned out to the local room in
/// its place among the room's messages, except to <paramref name="except"/> (the connection it
/// is about, on this node: it has its <c>joined</c> reply).
/// </summary>
internal sealed class RedisPresenceDelivery(RoomRegistry rooms, SharedFrame frame, IRoomMember? except) : RoomChannelWork
{
    protected internal override void Execute(RoomChannel channel)
    {
        if (rooms.TryGetRoom(channel.RoomId, out var room))
        {
            room.Publish(frame, except);
        }

        frame.Release();
    }
}
