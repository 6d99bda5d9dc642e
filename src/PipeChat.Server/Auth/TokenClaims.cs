using System.Buffers.Text;
using System.Text.Json;

namespace PipeChat.Server.Auth;

/// <summary>
/// The claims PipeChat reads from a validated token's payload itself: <c>sub</c> (a JSON string:
/// the library would turn a numeric sub into text, RFC 7519 §4.1.2), <c>rooms</c> and <c>mod</c>
/// (arrays of room-id patterns, <see cref="RoomAccess"/>).
/// </summary>
internal static class TokenClaims
{
    /// <summary>Reads the payload; <see cref="TokenFailure.BadSubject"/> or <see cref="TokenFailure.BadClaims"/> when a claim is ill-formed.</summary>
    public static TokenFailure Read(string encodedPayload, out string? subject, out RoomAccess access)
    {
        subject = null;
        access = RoomAccess.Everyone;
        string[]? rooms = null;
        string[]? moderated = null;
        var reader = new Utf8JsonReader(Base64Url.DecodeFromChars(encodedPayload));
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return TokenFailure.BadSubject;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("sub"u8))
            {
                reader.Read();
                subject = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("rooms"u8))
            {
                reader.Read();
                if (!TryReadPatterns(ref reader, out rooms))
                {
                    return TokenFailure.BadClaims;
                }
            }
            else if (reader.ValueTextEquals("mod"u8))
            {
                reader.Read();
                if (!TryReadPatterns(ref reader, out moderated))
                {
                    return TokenFailure.BadClaims;
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (subject is null || !UserIdRules.IsValid(subject))
        {
            return TokenFailure.BadSubject;
        }

        if (rooms is not null || moderated is not null)
        {
            access = new RoomAccess(rooms, moderated ?? []);
        }

        return TokenFailure.None;
    }

    private static bool TryReadPatterns(ref Utf8JsonReader reader, out string[]? patterns)
    {
        patterns = null;
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        var list = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String || list.Count == RoomAccess.MaxPatterns)
            {
                return false;
            }

            var pattern = reader.GetString()!;
            if (!RoomAccess.IsValidPattern(pattern))
            {
                return false;
            }

            list.Add(pattern);
        }

        patterns = [.. list];
        return true;
    }
}
