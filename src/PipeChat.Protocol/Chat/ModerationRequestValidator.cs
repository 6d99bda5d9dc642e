namespace PipeChat.Protocol.Chat;

/// <summary>The fields of the requests added for tokens and moderation (refresh, mute, ban, recall, readonly), checked after <see cref="ChatRequestValidator"/>'s.</summary>
internal static class ModerationRequestValidator
{
    public static bool Validate(ChatRequestType type, bool dataIsObject, scoped ref ChatRequestFields f, ReadOnlySpan<byte> reference, out ChatRequest request, out ChatError error)
    {
        request = new ChatRequest { Type = type, Ref = reference };
        error = default;
        switch (type)
        {
            case ChatRequestType.Refresh:
                if (!dataIsObject || f.TokenState != FieldState.Ok)
                {
                    error = ChatErrors.RefreshNeedsToken;
                    return false;
                }

                request = new ChatRequest { Type = type, Ref = reference, Token = f.Token };
                return true;

            case ChatRequestType.Mute:
            case ChatRequestType.Ban:
                var missing = type == ChatRequestType.Mute ? ChatErrors.MuteNeedsRoomIdAndId : ChatErrors.BanNeedsRoomIdAndId;
                if (!ChatRequestValidator.RequireId(dataIsObject, f.RoomIdState, missing, ChatErrors.BadRoomId, ref error)
                    || !ChatRequestValidator.RequireId(dataIsObject, f.IdState, missing, ChatErrors.BadId, ref error)
                    || !ChatRequestValidator.Optional(f.SecondsState, ChatErrors.BadSeconds, ref error))
                {
                    return false;
                }

                request = new ChatRequest
                {
                    Type = type,
                    Ref = reference,
                    RoomId = f.RoomId,
                    TargetId = f.Id,
                    Seconds = f.SecondsState == FieldState.Ok ? f.Seconds : null,
                };
                return true;

            case ChatRequestType.Recall:
                if (!ChatRequestValidator.RequireId(dataIsObject, f.RoomIdState, ChatErrors.RecallNeedsRoomIdAndSeq, ChatErrors.BadRoomId, ref error))
                {
                    return false;
                }

                if (f.SeqState != FieldState.Ok)
                {
                    error = f.SeqState == FieldState.Bad ? ChatErrors.BadSeq : ChatErrors.RecallNeedsRoomIdAndSeq;
                    return false;
                }

                request = new ChatRequest { Type = type, Ref = reference, RoomId = f.RoomId, Seq = f.Seq };
                return true;

            case ChatRequestType.ReadOnly:
                if (!ChatRequestValidator.RequireId(dataIsObject, f.RoomIdState, ChatErrors.ReadOnlyNeedsRoomIdAndOn, ChatErrors.BadRoomId, ref error))
                {
                    return false;
                }

                if (f.OnState != FieldState.Ok)
                {
                    error = f.OnState == FieldState.Bad ? ChatErrors.BadOn : ChatErrors.ReadOnlyNeedsRoomIdAndOn;
                    return false;
                }

                request = new ChatRequest { Type = type, Ref = reference, RoomId = f.RoomId, On = f.On };
                return true;
        }

        return true;
    }
}
