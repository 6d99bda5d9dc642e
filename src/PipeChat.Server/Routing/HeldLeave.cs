using PipeChat.Protocol.Chat;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Buffers;
using PipeChat.Server.Rooms;

namespace PipeChat.Server.Routing;

/// <summary>
/// The end of a dropped connection's grace, run as the room channel's owner: unless the user
/// resumed meanwhile (the join took the held leave), the room's members get the <c>leave</c>
/// event, with the count of now.
/// </summary>
internal sealed class HeldLeave(PresenceGrace grace, RoomRegistry rooms, string userId, int presenceLimit) : RoomChannelWork
{
    protected internal override void Execute(RoomChannel channel)
    {
        if (!grace.TryTake(channel.RoomId, userId) || !rooms.TryGetRoom(channel.RoomId, out var room))
        {
            return;
        }

        var count = room.MemberCount;
        if (count < presenceLimit)
        {
            var leaveEvent = SharedFrame.Rent(64 + (room.Id.Length * 6) + userId.Length);
            ChatMessageWriter.WriteLeaveEvent(leaveEvent, room.Id, userId, count);
            leaveEvent.Seal(WebSocketOpcode.Text);
            room.Publish(leaveEvent);
            leaveEvent.Release();
        }
    }
}
