namespace PipeChat.Server.Rooms;

/// <summary>A bounded answer to "who is in the room": some distinct user ids and the totals.</summary>
/// <param name="UserIds">Up to the requested maximum of distinct user ids, in no particular order.</param>
/// <param name="UserCount">Distinct users in the room.</param>
/// <param name="ConnectionCount">Member connections in the room.</param>
public readonly record struct RoomMembers(IReadOnlyList<string> UserIds, int UserCount, int ConnectionCount);
