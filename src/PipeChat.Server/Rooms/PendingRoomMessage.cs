using PipeChat.Server.Buffers;
using PipeChat.Server.Connections;

namespace PipeChat.Server.Rooms;

/// <summary>
/// A room message waiting in its channel: the encoded (not yet sealed) frame with a blank seq
/// slot, the room to fan it out to, and optionally the sender's ack with its own blank slot.
/// </summary>
internal readonly record struct PendingRoomMessage(Room Room, SharedFrame Frame, int SeqSlot, IChatConnection Sender, SharedFrame? Ack, int AckSeqSlot);
