using PipeChat.Server.Buffers;
using PipeChat.Server.Connections;

namespace PipeChat.Server.Rooms;

/// <summary>
/// A room message waiting in its channel. Sent on this node: the encoded (not yet sealed) frame
/// with a blank seq slot, the room to fan it out to, and optionally the sender's ack with its own
/// blank slot. Received from the backplane (<see cref="Seq"/> &gt; 0): a sealed frame whose seq
/// and epoch Redis assigned; <see cref="Room"/> and <see cref="Sender"/> are null. A presence
/// event from the backplane (<see cref="Presence"/>): a sealed frame with no seq, fanned out to
/// the local room in its place among the room's messages, except to <see cref="Sender"/> (the
/// connection it is about). <see cref="Lookup"/>: sent without a room (the server API): the room
/// is looked up here when the message is delivered, so a member joining meanwhile gets it.
/// </summary>
internal readonly record struct PendingRoomMessage(Room? Room, SharedFrame Frame, int SeqSlot, IRoomMember? Sender, SharedFrame? Ack, int AckSeqSlot, long Seq = 0, string? Epoch = null, bool Presence = false, RoomRegistry? Lookup = null);
