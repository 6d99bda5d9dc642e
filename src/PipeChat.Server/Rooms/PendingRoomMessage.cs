using PipeChat.Server.Buffers;

namespace PipeChat.Server.Rooms;

/// <summary>
/// A room message waiting in its channel: the encoded (not yet sealed) frame with a blank seq
/// slot, the room to fan it out to, and optionally the sender's ack with its own blank slot.
/// <see cref="Lookup"/>: sent without a room (the server API): the room is looked up when the
/// message is delivered, so a member joining meanwhile gets it.
/// </summary>
internal readonly record struct PendingRoomMessage(Room? Room, SharedFrame Frame, int SeqSlot, IRoomMember? Sender, SharedFrame? Ack, int AckSeqSlot, RoomRegistry? Lookup = null);
