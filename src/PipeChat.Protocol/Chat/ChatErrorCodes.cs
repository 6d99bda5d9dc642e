namespace PipeChat.Protocol.Chat;

/// <summary>
/// The stable <c>code</c> values of <c>{"type":"error"}</c> replies. Clients switch on these;
/// they never change meaning once published (docs/protocol.md lists when each is sent).
/// </summary>
public static class ChatErrorCodes
{
    /// <summary>The text frame is not one well-formed JSON object (or nests deeper than 64).</summary>
    public const string BadJson = "bad_json";

    /// <summary>Well-formed JSON, but a required field is missing or has the wrong kind.</summary>
    public const string BadRequest = "bad_request";

    /// <summary>"type" names no request this server knows.</summary>
    public const string UnknownType = "unknown_type";

    /// <summary>The target user of a notice has no open connection.</summary>
    public const string Offline = "offline";

    /// <summary>Sending to (or leaving) a room the connection has not joined.</summary>
    public const string NotInRoom = "not_in_room";

    /// <summary>The message is larger than the server accepts.</summary>
    public const string TooLarge = "too_large";

    /// <summary>The connection sends faster than its configured rate.</summary>
    public const string RateLimited = "rate_limited";

    /// <summary>The request is valid but not allowed for this user (e.g. broadcast disabled).</summary>
    public const string Forbidden = "forbidden";

    /// <summary>The room has reached its member limit.</summary>
    public const string RoomFull = "room_full";

    /// <summary>The connection has joined as many rooms as it may.</summary>
    public const string TooManyRooms = "too_many_rooms";

    /// <summary>The content checks refused the room message (word list, publish hook); the error's <c>reason</c> says why.</summary>
    public const string Rejected = "rejected";

    /// <summary>The sender is muted in the room (the error's data.seconds: how long still, absent: until lifted).</summary>
    public const string Muted = "muted";

    /// <summary>The user is banned from the room (join refused; data.seconds as for muted).</summary>
    public const string Banned = "banned";

    /// <summary>The room is read-only: only its moderators and the server API may send.</summary>
    public const string ReadOnly = "readonly";

    /// <summary>A refresh's token is invalid or expired (the message says why).</summary>
    public const string BadToken = "bad_token";

    /// <summary>A recall names a seq the room's history no longer (or never) held.</summary>
    public const string NotFound = "not_found";

    /// <summary>A count request names a new counter in a room that already has as many as it may.</summary>
    public const string TooManyCounters = "too_many_counters";

    /// <summary>The server failed to handle the request; retrying later may work.</summary>
    public const string Internal = "internal";
}
