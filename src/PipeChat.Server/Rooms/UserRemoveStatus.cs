namespace PipeChat.Server.Rooms;

public enum UserRemoveStatus
{
    /// <summary>The connection was not registered.</summary>
    NotFound,

    /// <summary>Removed; the user still has other connections.</summary>
    Removed,

    /// <summary>Removed the user's last connection on this node: the user went offline.</summary>
    WentOffline,
}
