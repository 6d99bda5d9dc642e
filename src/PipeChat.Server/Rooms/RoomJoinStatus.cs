namespace PipeChat.Server.Rooms;

public enum RoomJoinStatus
{
    /// <summary>The connection is now a member.</summary>
    Joined,

    /// <summary>The connection was a member already; nothing changed.</summary>
    AlreadyMember,

    /// <summary>The room has reached <see cref="RoomRegistryOptions.MaxMembersPerRoom"/>.</summary>
    RoomFull,
}
