using System.Text.Json;

namespace PipeChat.Protocol.Chat;

/// <summary>
/// The second step of <see cref="ChatRequestParser"/>: checks what the single JSON pass collected
/// against the fields the request's type needs, in the documented order, and builds the request
/// or the error.
/// </summary>
internal static class ChatRequestValidator
{
    public static bool Validate(scoped ref ChatRequestFields f, out ChatRequest request, out ChatError error)
    {
        var reference = f.RefState == FieldState.Ok ? f.Ref : default;
        request = new ChatRequest { Ref = reference };
        if (f.RefState == FieldState.Bad)
        {
            error = ChatErrors.BadRef;
            return false;
        }

        switch (f.Type)
        {
            case TypeState.Missing:
            case TypeState.NotString:
                error = ChatErrors.MissingType;
                return false;
            case TypeState.Unknown:
                error = ChatErrors.UnknownType;
                return false;
        }

        var type = (ChatRequestType)f.Type;
        var dataIsObject = f.DataKind == JsonTokenType.StartObject;
        error = default;
        switch (type)
        {
            case ChatRequestType.Ping:
                break;

            case ChatRequestType.Join:
                if (!RequireId(dataIsObject, f.RoomIdState, ChatErrors.JoinNeedsRoomId, ChatErrors.BadRoomId, ref error)
                    || !Optional(f.SinceState, ChatErrors.BadSince, ref error)
                    || !Optional(f.EpochState, ChatErrors.BadEpoch, ref error))
                {
                    return false;
                }

                request = new ChatRequest
                {
                    Type = type,
                    Ref = reference,
                    RoomId = f.RoomId,
                    Since = f.SinceState == FieldState.Ok ? f.Since : null,
                    Epoch = f.EpochState == FieldState.Ok ? f.Epoch : default,
                };
                return true;

            case ChatRequestType.Leave:
                if (!RequireId(dataIsObject, f.RoomIdState, ChatErrors.LeaveNeedsRoomId, ChatErrors.BadRoomId, ref error))
                {
                    return false;
                }

                request = new ChatRequest { Type = type, Ref = reference, RoomId = f.RoomId };
                return true;

            case ChatRequestType.Notice:
                if (!dataIsObject || f.InnerState != FieldState.Ok)
                {
                    error = ChatErrors.NoticeNeedsIdAndData;
                    return false;
                }

                if (!RequireId(dataIsObject, f.IdState, ChatErrors.NoticeNeedsIdAndData, ChatErrors.BadId, ref error))
                {
                    return false;
                }

                request = new ChatRequest { Type = type, Ref = reference, TargetId = f.Id, Data = f.Inner };
                return true;

            case ChatRequestType.Room:
                if (!dataIsObject || f.InnerState != FieldState.Ok)
                {
                    error = ChatErrors.RoomNeedsRoomIdAndData;
                    return false;
                }

                if (!RequireId(dataIsObject, f.RoomIdState, ChatErrors.RoomNeedsRoomIdAndData, ChatErrors.BadRoomId, ref error)
                    || !Optional(f.PriorityState, ChatErrors.BadPriority, ref error))
                {
                    return false;
                }

                request = new ChatRequest { Type = type, Ref = reference, RoomId = f.RoomId, Data = f.Inner, Priority = f.Priority };
                return true;

            case ChatRequestType.Count:
                if (!RequireId(dataIsObject, f.RoomIdState, ChatErrors.CountNeedsRoomIdAndName, ChatErrors.BadRoomId, ref error)
                    || !RequireId(dataIsObject, f.NameState, ChatErrors.CountNeedsRoomIdAndName, ChatErrors.BadCounterName, ref error)
                    || !Optional(f.ByState, ChatErrors.BadBy, ref error))
                {
                    return false;
                }

                request = new ChatRequest { Type = type, Ref = reference, RoomId = f.RoomId, CounterName = f.Name, By = f.ByState == FieldState.Ok ? f.By : 1 };
                return true;

            case ChatRequestType.Broadcast:
                if (f.DataKind == JsonTokenType.None)
                {
                    error = ChatErrors.BroadcastNeedsData;
                    return false;
                }

                request = new ChatRequest { Type = type, Ref = reference, Data = f.Data };
                return true;

            case ChatRequestType.Query:
                if (dataIsObject && f.RoomIdState != FieldState.Missing)
                {
                    if (f.RoomIdState == FieldState.Bad)
                    {
                        error = ChatErrors.BadRoomId;
                        return false;
                    }

                    request = new ChatRequest { Type = type, Ref = reference, RoomId = f.RoomId };
                    return true;
                }

                if (!RequireId(dataIsObject, f.IdState, ChatErrors.QueryNeedsRoomIdOrId, ChatErrors.BadId, ref error))
                {
                    return false;
                }

                request = new ChatRequest { Type = type, Ref = reference, TargetId = f.Id };
                return true;

            case ChatRequestType.History:
                if (!RequireId(dataIsObject, f.RoomIdState, ChatErrors.HistoryNeedsRoomId, ChatErrors.BadRoomId, ref error)
                    || !Optional(f.BeforeState, ChatErrors.BadBefore, ref error)
                    || !Optional(f.LimitState, ChatErrors.BadLimit, ref error))
                {
                    return false;
                }

                request = new ChatRequest
                {
                    Type = type,
                    Ref = reference,
                    RoomId = f.RoomId,
                    Before = f.BeforeState == FieldState.Ok ? f.Before : null,
                    Limit = f.LimitState == FieldState.Ok ? f.Limit : null,
                };
                return true;
        }

        return ModerationRequestValidator.Validate(type, dataIsObject, ref f, reference, out request, out error);
    }

    internal static bool RequireId(bool dataIsObject, FieldState state, ChatError missing, ChatError bad, ref ChatError error)
    {
        if (!dataIsObject || state == FieldState.Missing)
        {
            error = missing;
            return false;
        }

        if (state == FieldState.Bad)
        {
            error = bad;
            return false;
        }

        return true;
    }

    internal static bool Optional(FieldState state, ChatError bad, ref ChatError error)
    {
        if (state == FieldState.Bad)
        {
            error = bad;
            return false;
        }

        return true;
    }
}
