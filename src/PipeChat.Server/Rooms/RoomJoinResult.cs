namespace PipeChat.Server.Rooms;

/// <summary>
/// The outcome of <see cref="RoomRegistry.Join"/>. <see cref="FirstMember"/> is true when this
/// join opened the room on this node (the moment to subscribe it on a backplane).
/// </summary>
public readonly record struct RoomJoinResult(RoomJoinStatus Status, Room Room, bool FirstMember);
