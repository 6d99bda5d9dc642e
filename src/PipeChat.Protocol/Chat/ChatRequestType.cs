namespace PipeChat.Protocol.Chat;

/// <summary>The <c>"type"</c> of a client request.</summary>
public enum ChatRequestType : byte
{
    None = 0,
    Join,
    Leave,
    Notice,
    Room,
    Broadcast,
    Query,
    Ping,
    History,

    /// <summary>A new token for the connection: data.token.</summary>
    Refresh,

    /// <summary>Moderator: mute data.id in data.roomid for data.seconds (0 lifts; absent: until lifted).</summary>
    Mute,

    /// <summary>Moderator: ban data.id from data.roomid for data.seconds (0 lifts; absent: until lifted).</summary>
    Ban,

    /// <summary>Moderator: recall the message data.seq of data.roomid.</summary>
    Recall,

    /// <summary>Moderator: make data.roomid read-only (data.on true) or not.</summary>
    ReadOnly,

    /// <summary>An increment to a room counter (likes): coalesced, delivered at most once per interval.</summary>
    Count,
}
