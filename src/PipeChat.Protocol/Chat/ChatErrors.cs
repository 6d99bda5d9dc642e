namespace PipeChat.Protocol.Chat;

/// <summary>Every error the server sends, each a code with its fixed message.</summary>
public static class ChatErrors
{
    public static readonly ChatError BadJson = new(ChatErrorCodes.BadJson, "please send data in the right format: one JSON object per text message");
    public static readonly ChatError UnknownType = new(ChatErrorCodes.UnknownType, "unknown type");
    public static readonly ChatError Offline = new(ChatErrorCodes.Offline, "the other side is offline");
    public static readonly ChatError NotInRoom = new(ChatErrorCodes.NotInRoom, "you have not joined this room");
    public static readonly ChatError TooLarge = new(ChatErrorCodes.TooLarge, "message too large");
    public static readonly ChatError RateLimited = new(ChatErrorCodes.RateLimited, "too many messages, slow down");
    public static readonly ChatError Forbidden = new(ChatErrorCodes.Forbidden, "not allowed");
    public static readonly ChatError RoomFull = new(ChatErrorCodes.RoomFull, "the room is full");
    public static readonly ChatError TooManyRooms = new(ChatErrorCodes.TooManyRooms, "you have joined too many rooms");
    public static readonly ChatError Internal = new(ChatErrorCodes.Internal, "internal server error");
    public static readonly ChatError Muted = new(ChatErrorCodes.Muted, "you are muted in this room");
    public static readonly ChatError Banned = new(ChatErrorCodes.Banned, "you are banned from this room");
    public static readonly ChatError ReadOnly = new(ChatErrorCodes.ReadOnly, "the room is read-only");
    public static readonly ChatError NotModerator = new(ChatErrorCodes.Forbidden, "only the room's moderators may do this");
    public static readonly ChatError RefreshOtherUser = new(ChatErrorCodes.Forbidden, "the new token is for another user");
    public static readonly ChatError RefreshWithoutAuth = new(ChatErrorCodes.BadRequest, "refresh needs auth on (--auth-secret)");
    public static readonly ChatError RecallNotFound = new(ChatErrorCodes.NotFound, "no such message in the room's history");

    // bad_request: one message per shape, naming the field (the original's "wrong parameter format").
    public static readonly ChatError MissingType = new(ChatErrorCodes.BadRequest, "type is required and must be a string");
    public static readonly ChatError BadRef = new(ChatErrorCodes.BadRequest, "ref must be a string or a number");
    public static readonly ChatError BadData = new(ChatErrorCodes.BadRequest, "data must be an object");
    public static readonly ChatError JoinNeedsRoomId = new(ChatErrorCodes.BadRequest, "join needs data.roomid");
    public static readonly ChatError LeaveNeedsRoomId = new(ChatErrorCodes.BadRequest, "leave needs data.roomid");
    public static readonly ChatError NoticeNeedsIdAndData = new(ChatErrorCodes.BadRequest, "notice needs data.id and data.data");
    public static readonly ChatError RoomNeedsRoomIdAndData = new(ChatErrorCodes.BadRequest, "room needs data.roomid and data.data");
    public static readonly ChatError BroadcastNeedsData = new(ChatErrorCodes.BadRequest, "broadcast needs data");
    public static readonly ChatError QueryNeedsRoomIdOrId = new(ChatErrorCodes.BadRequest, "query needs data.roomid or data.id");
    public static readonly ChatError HistoryNeedsRoomId = new(ChatErrorCodes.BadRequest, "history needs data.roomid");
    public static readonly ChatError BadRoomId = new(ChatErrorCodes.BadRequest, "data.roomid must be a string of 1 to 128 UTF-8 bytes");
    public static readonly ChatError BadId = new(ChatErrorCodes.BadRequest, "data.id must be a string of 1 to 128 UTF-8 bytes");
    public static readonly ChatError BadSince = new(ChatErrorCodes.BadRequest, "data.since must be a non-negative integer");
    public static readonly ChatError BadBefore = new(ChatErrorCodes.BadRequest, "data.before must be a non-negative integer");
    public static readonly ChatError BadLimit = new(ChatErrorCodes.BadRequest, "data.limit must be a positive integer");
    public static readonly ChatError RefreshNeedsToken = new(ChatErrorCodes.BadRequest, "refresh needs data.token, a JWT string");
    public static readonly ChatError MuteNeedsRoomIdAndId = new(ChatErrorCodes.BadRequest, "mute needs data.roomid and data.id (and data.seconds, 0 lifts)");
    public static readonly ChatError BanNeedsRoomIdAndId = new(ChatErrorCodes.BadRequest, "ban needs data.roomid and data.id (and data.seconds, 0 lifts)");
    public static readonly ChatError RecallNeedsRoomIdAndSeq = new(ChatErrorCodes.BadRequest, "recall needs data.roomid and data.seq");
    public static readonly ChatError ReadOnlyNeedsRoomIdAndOn = new(ChatErrorCodes.BadRequest, "readonly needs data.roomid and data.on (true or false)");
    public static readonly ChatError BadSeconds = new(ChatErrorCodes.BadRequest, "data.seconds must be a non-negative integer");
    public static readonly ChatError BadSeq = new(ChatErrorCodes.BadRequest, "data.seq must be a non-negative integer");
    public static readonly ChatError BadOn = new(ChatErrorCodes.BadRequest, "data.on must be true or false");
    public static readonly ChatError BadPriority = new(ChatErrorCodes.BadRequest, "data.priority must be \"high\", \"normal\" or \"low\"");
    public static readonly ChatError CountNeedsRoomIdAndName = new(ChatErrorCodes.BadRequest, "count needs data.roomid and data.name");
    public static readonly ChatError BadCounterName = new(ChatErrorCodes.BadRequest, "data.name must be a string of 1 to 64 UTF-8 bytes");
    public static readonly ChatError BadBy = new(ChatErrorCodes.BadRequest, "data.by must be an integer from -1000000 to 1000000");
    public static readonly ChatError HighNotAllowed = new(ChatErrorCodes.Forbidden, "high priority is for the room's host, its moderators and the server API");
    public static readonly ChatError TooManyCounters = new(ChatErrorCodes.TooManyCounters, "the room has as many counters as it may");
    public static readonly ChatError BadEpoch = new(ChatErrorCodes.BadRequest, "data.epoch must be a string or a number of at most 64 bytes");
}
