namespace PipeChat.Server.Rooms;

/// <summary>What <see cref="Room.TryJoin"/> did; <see cref="Closed"/> makes the registry retry with a fresh room.</summary>
internal enum RoomJoinOutcome
{
    Joined,
    JoinedFirst,
    AlreadyMember,
    Full,
    Closed,
}
