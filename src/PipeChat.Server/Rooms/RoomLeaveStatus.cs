namespace PipeChat.Server.Rooms;

public enum RoomLeaveStatus
{
    /// <summary>The connection was not a member (or the room does not exist).</summary>
    NotMember,

    /// <summary>The connection left; others remain.</summary>
    Left,

    /// <summary>The last member left: the room is closed and removed (the moment to unsubscribe it on a backplane).</summary>
    LeftAndClosed,
}
