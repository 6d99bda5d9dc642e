using PipeChat.Server.Buffers;
using PipeChat.Server.Connections;

namespace PipeChat.Server.Rooms;

/// <summary>
/// A room message waiting in its room's outbox: the sealed frame with a blank seq slot, and
/// optionally the sender's ack with its own blank slot.
/// </summary>
internal readonly record struct PendingRoomMessage(SharedFrame Frame, int SeqSlot, IChatConnection Sender, SharedFrame? Ack, int AckSeqSlot);
