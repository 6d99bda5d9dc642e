namespace PipeChat.Server.Rooms;

internal enum UserAddOutcome
{
    Added,
    AddedFirst,
    AlreadyAdded,
    LimitReached,
    Closed,
}
