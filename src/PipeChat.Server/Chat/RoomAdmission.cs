using PipeChat.Protocol.Chat;
using PipeChat.Server.Buffers;
using PipeChat.Server.Diagnostics;
using PipeChat.Server.Rooms;
using PipeChat.Server.Routing;

namespace PipeChat.Server.Chat;

/// <summary>
/// Whether a room message may enter its room (docs/protocol.md, live rooms under overload):
/// high priority only from the server API or a member the API named for the room
/// (<see cref="HighPrioritySenders"/>), otherwise <c>forbidden</c>; then the room's ingress cap
/// (<see cref="RoomIngress"/>), which drops low first, then normal, never high: a dropped message
/// gets no seq and no history entry, and its sender an ack with <c>dropped:true</c>.
/// </summary>
internal sealed class RoomAdmission(RoomIngress ingress, HighPrioritySenders highSenders, PriorityCounters counters)
{
    public RoomIngress Ingress => ingress;

    public HighPrioritySenders HighSenders => highSenders;

    public PriorityCounters Counters => counters;

    /// <summary>A member's message: false when it was refused (forbidden) or dropped (acked as such); the answer has gone out.</summary>
    public bool AdmitMember(IRoomMember sender, string roomId, MessagePriority priority, ReadOnlySpan<byte> reference, bool moderator = false)
    {
        if (priority == MessagePriority.High && !moderator && !highSenders.MayUseHigh(roomId, sender.UserId))
        {
            ChatReplies.Error(sender, ChatErrors.HighNotAllowed, reference);
            return false;
        }

        return AdmitToRoom(sender, roomId, priority, reference);
    }

    /// <summary>The room's cap (any sender): false when the message was dropped (and its sender acked with dropped:true).</summary>
    public bool AdmitToRoom(IRoomMember sender, string roomId, MessagePriority priority, ReadOnlySpan<byte> reference)
    {
        if (!ingress.Active || ingress.TryAdmit(roomId, priority, Environment.TickCount64))
        {
            counters.Published(priority);
            return true;
        }

        counters.Dropped(priority);
        var ack = SharedFrame.Rent(96 + reference.Length);
        OverloadMessageWriter.WriteDroppedAck(ack, reference, priority);
        ChatReplies.Send(sender, ack);
        return false;
    }
}
