namespace PipeChat.Server.Rooms;

public sealed class RoomRegistryOptions
{
    /// <summary>Joins beyond this many member connections fail with <see cref="RoomJoinStatus.RoomFull"/>.</summary>
    public int MaxMembersPerRoom { get; init; } = 100_000;
}
