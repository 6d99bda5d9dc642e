using System.Text.Json;

namespace PipeChat.Protocol.Chat;

/// <summary>
/// Parses one client request, <c>{"type":…,"data":…,"ref":…}</c>, in a single forward pass of
/// <see cref="Utf8JsonReader"/> over the whole text message, allocating nothing when the JSON is
/// well-formed.
/// </summary>
/// <remarks>
/// <para>Unknown fields are ignored at every level (the original client sent its own id inside
/// join/leave data). A duplicated key is not an error: the last occurrence wins.</para>
/// <para>Order of checks: malformed JSON, a top level that is not an object, or nesting deeper
/// than <see cref="MaxDepth"/> → bad_json; then an ill-typed ref → bad_request; then a missing
/// or non-string type → bad_request; an unknown type → unknown_type; then the fields that type
/// needs → bad_request naming them. The ref is reported with every error once it was read,
/// even when the JSON breaks after it.</para>
/// <para>Utf8JsonReader reports malformed JSON by throwing; that exception is caught here and is
/// the one allocating path (cold: the connection's rate limit bounds it).</para>
/// </remarks>
public static class ChatRequestParser
{
    /// <summary>Largest data.roomid / data.id accepted, in UTF-8 bytes after unescaping.</summary>
    public const int MaxIdLength = 128;

    /// <summary>Largest data.token accepted, in bytes (the server's token limit).</summary>
    public const int MaxTokenLength = 8 * 1024;

    /// <summary>Largest counter name (data.name of a count request) accepted, in UTF-8 bytes.</summary>
    public const int MaxCounterNameLength = 64;

    /// <summary>Largest magnitude of one counter increment (data.by of a count request).</summary>
    public const long MaxCounterStep = 1_000_000;

    /// <summary>Largest data.epoch accepted, in bytes.</summary>
    public const int MaxEpochLength = 64;

    /// <summary>Deepest nesting accepted (the top-level object is depth 1).</summary>
    public const int MaxDepth = 64;

    // An escaped string may spend up to 6 bytes ("\u00XX") per unescaped byte.
    private const int IdRegionLength = MaxIdLength * 6;
    private const int EpochRegionLength = MaxEpochLength * 6;

    /// <summary>Smallest scratch buffer <see cref="TryParse"/> takes (small enough to stackalloc).</summary>
    public const int ScratchLength = (2 * IdRegionLength) + EpochRegionLength;

    private static readonly JsonReaderOptions s_options = new() { MaxDepth = MaxDepth };

    /// <summary>
    /// Parses <paramref name="json"/>, one complete text message. Returns false with
    /// <paramref name="error"/> set when the request must be answered with an error; the
    /// request's <see cref="ChatRequest.Ref"/> is still set when it could be read.
    /// The input must already be valid UTF-8 (the server passes only text messages the frame
    /// reader has validated); strings without escapes are not re-checked.
    /// </summary>
    /// <param name="scratch">At least <see cref="ScratchLength"/> bytes; escaped strings are decoded into it.</param>
    public static bool TryParse(ReadOnlySpan<byte> json, Span<byte> scratch, out ChatRequest request, out ChatError error)
    {
        if (scratch.Length < ScratchLength)
        {
            ThrowScratchTooSmall();
        }

        var fields = default(ChatRequestFields);
        var reader = new Utf8JsonReader(json, isFinalBlock: true, new JsonReaderState(s_options));
        bool wellFormed;
        try
        {
            wellFormed = ReadEnvelope(ref reader, json, scratch, ref fields);
        }
        catch (JsonException)
        {
            wellFormed = false;
        }
        catch (InvalidOperationException)
        {
            // CopyString on an escape that decodes to invalid UTF-16 (a lone surrogate).
            wellFormed = false;
        }

        if (!wellFormed)
        {
            request = new ChatRequest { Ref = fields.RefState == FieldState.Ok ? fields.Ref : default };
            error = ChatErrors.BadJson;
            return false;
        }

        return ChatRequestValidator.Validate(ref fields, out request, out error);
    }

    private static bool ReadEnvelope(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Span<byte> scratch, ref ChatRequestFields fields)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                fields.Type = reader.TokenType == JsonTokenType.String ? ClassifyType(ref reader) : TypeState.NotString;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                fields.DataKind = reader.TokenType;
                fields.ClearInner();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    ReadDataObject(ref reader, json, scratch, ref fields);
                }
                else
                {
                    reader.Skip();
                }

                fields.Data = json[start..(int)reader.BytesConsumed];
            }
            else if (reader.ValueTextEquals("ref"u8))
            {
                reader.Read();
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.Number)
                {
                    var start = (int)reader.TokenStartIndex;
                    fields.Ref = json[start..(int)reader.BytesConsumed];
                    fields.RefState = FieldState.Ok;
                }
                else
                {
                    fields.Ref = default;
                    fields.RefState = FieldState.Bad;
                    reader.Skip();
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        // Anything but whitespace after the object makes Read throw.
        return !reader.Read();
    }

    private static void ReadDataObject(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Span<byte> scratch, ref ChatRequestFields fields)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("roomid"u8))
            {
                reader.Read();
                fields.RoomIdState = ReadId(ref reader, scratch[..IdRegionLength], MaxIdLength, out fields.RoomId);
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                fields.IdState = ReadId(ref reader, scratch.Slice(IdRegionLength, IdRegionLength), MaxIdLength, out fields.Id);
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                fields.Inner = json[start..(int)reader.BytesConsumed];
                fields.InnerState = FieldState.Ok;
            }
            else if (reader.ValueTextEquals("priority"u8))
            {
                reader.Read();
                fields.PriorityState = reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped
                    && MessagePriorities.TryParse(reader.ValueSpan, out fields.Priority) ? FieldState.Ok : FieldState.Bad;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("name"u8))
            {
                // A counter's name (count requests carry no data.id: they share its scratch region).
                reader.Read();
                fields.NameState = ReadId(ref reader, scratch.Slice(IdRegionLength, IdRegionLength), MaxCounterNameLength, out fields.Name);
            }
            else if (reader.ValueTextEquals("by"u8))
            {
                reader.Read();
                fields.ByState = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out fields.By)
                    && fields.By is >= -MaxCounterStep and <= MaxCounterStep ? FieldState.Ok : FieldState.Bad;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("since"u8))
            {
                reader.Read();
                fields.SinceState = ReadNonNegativeInt64(ref reader, out fields.Since);
            }
            else if (reader.ValueTextEquals("before"u8))
            {
                reader.Read();
                fields.BeforeState = ReadNonNegativeInt64(ref reader, out fields.Before);
            }
            else if (reader.ValueTextEquals("limit"u8))
            {
                reader.Read();
                fields.LimitState = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out fields.Limit) && fields.Limit > 0
                    ? FieldState.Ok
                    : FieldState.Bad;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("token"u8))
            {
                reader.Read();
                fields.TokenState = reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped
                    && reader.ValueSpan.Length is > 0 and <= MaxTokenLength
                    ? FieldState.Ok
                    : FieldState.Bad;
                fields.Token = fields.TokenState == FieldState.Ok ? reader.ValueSpan : default;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("seconds"u8))
            {
                reader.Read();
                fields.SecondsState = ReadNonNegativeInt64(ref reader, out fields.Seconds);
            }
            else if (reader.ValueTextEquals("seq"u8))
            {
                reader.Read();
                fields.SeqState = ReadNonNegativeInt64(ref reader, out fields.Seq);
            }
            else if (reader.ValueTextEquals("on"u8))
            {
                reader.Read();
                fields.OnState = reader.TokenType is JsonTokenType.True or JsonTokenType.False ? FieldState.Ok : FieldState.Bad;
                fields.On = reader.TokenType == JsonTokenType.True;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("epoch"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number)
                {
                    fields.Epoch = reader.ValueSpan;
                    fields.EpochState = fields.Epoch.Length <= MaxEpochLength ? FieldState.Ok : FieldState.Bad;
                }
                else
                {
                    fields.EpochState = ReadId(ref reader, scratch.Slice(2 * IdRegionLength, EpochRegionLength), MaxEpochLength, out fields.Epoch);
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    /// <summary>A non-empty string of at most <paramref name="maxLength"/> bytes once unescaped.</summary>
    private static FieldState ReadId(scoped ref Utf8JsonReader reader, Span<byte> region, int maxLength, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return FieldState.Bad;
        }

        var raw = reader.ValueSpan;
        if (!reader.ValueIsEscaped)
        {
            value = raw;
        }
        else
        {
            if (raw.Length > region.Length)
            {
                return FieldState.Bad;
            }

            value = region[..reader.CopyString(region)];
        }

        return value.Length is > 0 && value.Length <= maxLength ? FieldState.Ok : FieldState.Bad;
    }

    private static FieldState ReadNonNegativeInt64(ref Utf8JsonReader reader, out long value)
    {
        value = 0;
        var ok = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out value) && value >= 0;
        reader.Skip();
        return ok ? FieldState.Ok : FieldState.Bad;
    }

    private static TypeState ClassifyType(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("room"u8))
        {
            return TypeState.Room;
        }

        if (reader.ValueTextEquals("notice"u8))
        {
            return TypeState.Notice;
        }

        if (reader.ValueTextEquals("ping"u8))
        {
            return TypeState.Ping;
        }

        if (reader.ValueTextEquals("join"u8))
        {
            return TypeState.Join;
        }

        if (reader.ValueTextEquals("leave"u8))
        {
            return TypeState.Leave;
        }

        if (reader.ValueTextEquals("broadcast"u8))
        {
            return TypeState.Broadcast;
        }

        if (reader.ValueTextEquals("query"u8))
        {
            return TypeState.Query;
        }

        if (reader.ValueTextEquals("history"u8))
        {
            return TypeState.History;
        }

        if (reader.ValueTextEquals("refresh"u8))
        {
            return TypeState.Refresh;
        }

        if (reader.ValueTextEquals("mute"u8))
        {
            return TypeState.Mute;
        }

        if (reader.ValueTextEquals("ban"u8))
        {
            return TypeState.Ban;
        }

        if (reader.ValueTextEquals("recall"u8))
        {
            return TypeState.Recall;
        }

        if (reader.ValueTextEquals("readonly"u8))
        {
            return TypeState.ReadOnly;
        }

        if (reader.ValueTextEquals("count"u8))
        {
            return TypeState.Count;
        }

        return TypeState.Unknown;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowScratchTooSmall() =>
        throw new ArgumentException($"The scratch buffer must hold at least {ScratchLength} bytes.", "scratch");
}
