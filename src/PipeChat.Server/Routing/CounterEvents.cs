using PipeChat.Protocol.Chat;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Buffers;
using PipeChat.Server.Diagnostics;
using PipeChat.Server.Rooms;

namespace PipeChat.Server.Routing;

/// <summary>Sends a room counter's value to the room's members on this node: one low-priority <c>counter</c> event, not numbered, not kept.</summary>
internal static class CounterEvents
{
    public static void Publish(RoomRegistry rooms, PriorityCounters? counters, string roomId, string name, long value)
    {
        if (!rooms.TryGetRoom(roomId, out var room))
        {
            return;
        }

        var frame = SharedFrame.Rent(128 + (roomId.Length * 6) + (name.Length * 6));
        OverloadMessageWriter.WriteCounter(frame, roomId, name, value);
        frame.Priority = MessagePriority.Low;
        frame.Seal(WebSocketOpcode.Text);
        room.Publish(frame);
        frame.Release();
        counters?.CounterUpdate();
    }
}
