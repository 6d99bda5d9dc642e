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

    /// <summary>An increment to a room counter (likes): coalesced, delivered at most once per interval.</summary>
    Count,
}
