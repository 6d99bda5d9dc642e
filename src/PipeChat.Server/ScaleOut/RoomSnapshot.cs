namespace PipeChat.Server.ScaleOut;

/// <summary>One kept room message as Redis stores it: its seq, when it was stored, and the room message JSON.</summary>
internal readonly record struct HistoryEntry(long Seq, long StoredAtMs, ReadOnlyMemory<byte> Json);

/// <summary>
/// What Redis says about a room at one instant: its epoch, its last seq, and the kept messages
/// after some seq (oldest first).
/// </summary>
internal sealed record RoomSnapshot(string Epoch, long LastSeq, IReadOnlyList<HistoryEntry> Entries);
