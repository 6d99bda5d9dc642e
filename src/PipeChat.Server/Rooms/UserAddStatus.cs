namespace PipeChat.Server.Rooms;

public enum UserAddStatus
{
    /// <summary>Added; the user had other connections already.</summary>
    Added,

    /// <summary>Added as the user's first connection on this node: the user came online.</summary>
    CameOnline,

    /// <summary>This connection was registered already; nothing changed.</summary>
    AlreadyAdded,

    /// <summary>The user holds the maximum number of connections; this one was not added.</summary>
    LimitReached,
}
