using System.Text;
using System.Text.Json;
using PipeChat.Protocol.Chat;
using PipeChat.Server.Auth;

namespace PipeChat.Server.Http.Api;

/// <summary>The server API's endpoints (docs/api.md).</summary>
internal enum ApiEndpoint
{
    Publish,
    Notice,
    Broadcast,
    Disconnect,
    Members,
    Online,
    Stats,
    Mute,
    Ban,
    Recall,
    ReadOnly,
    RoomRate,
    RoomHost,
}

/// <summary>One API request, read and validated: only the fields its endpoint uses are set.</summary>
internal sealed class ApiRequest
{
    /// <summary>Longest close reason a close frame carries (125 bytes less the code).</summary>
    public const int MaxReasonBytes = 123;

    private const int MaxRoomIdBytes = 128;

    public ApiEndpoint Endpoint { get; private init; }

    public string RoomId { get; private set; } = "";

    public string From { get; private set; } = "";

    /// <summary>The target user (<c>id</c>).</summary>
    public string UserId { get; private set; } = "";

    /// <summary>The <c>data</c> value, raw JSON forwarded byte for byte.</summary>
    public byte[] Data { get; private set; } = [];

    /// <summary><c>conn</c>: one connection of the user; 0 for all of them.</summary>
    public long Connection { get; private set; }

    /// <summary>The close reason, UTF-8.</summary>
    public byte[] Reason { get; private set; } = "disconnected by the server"u8.ToArray();

    /// <summary>mute, ban: <c>seconds</c> (0 lifts); null: until lifted.</summary>
    public long? Seconds { get; private set; }

    /// <summary>recall: <c>seq</c>.</summary>
    public long Seq { get; private set; }

    /// <summary>readonly: <c>on</c>.</summary>
    public bool On { get; private set; }
    /// <summary>publish: <c>priority</c> (normal when absent).</summary>
    public MessagePriority Priority { get; private set; }

    /// <summary>room-rate: <c>rate</c>, messages per second (0: not capped); null: back to --room-max-rate.</summary>
    public double? Rate { get; private set; }

    /// <summary>room-host: <c>high</c>, whether the user may send high priority in the room (true when absent).</summary>
    public bool High { get; private set; } = true;

    public static ApiRequest ForStats() => new() { Endpoint = ApiEndpoint.Stats };

    /// <summary>Reads the JSON body of a request to <paramref name="endpoint"/>; false with the problem (400, naming the field) when it is not acceptable.</summary>
    public static bool TryRead(ApiEndpoint endpoint, ReadOnlySpan<byte> body, out ApiRequest request, out ApiProblem problem)
    {
        request = new ApiRequest { Endpoint = endpoint };
        var seen = Fields.None;
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                problem = new ApiProblem(400, ApiProblemCodes.BadJson, "the body must be one JSON object");
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = Identify(ref reader) & Wanted(endpoint);
                reader.Read();
                if (field == Fields.None)
                {
                    reader.Skip();
                    continue;
                }

                if (!request.TryTake(field, ref reader, body, out problem))
                {
                    return false;
                }

                seen |= field;
            }

            // Anything after the object (other than whitespace) throws here.
            if (reader.Read())
            {
                problem = new ApiProblem(400, ApiProblemCodes.BadJson, "the body must be one JSON object");
                return false;
            }
        }
        catch (JsonException ex)
        {
            problem = new ApiProblem(400, ApiProblemCodes.BadJson, $"malformed JSON at byte {ex.BytePositionInLine ?? reader.BytesConsumed}: send one JSON object");
            return false;
        }

        var missing = Required(endpoint) & ~seen;
        if (missing != Fields.None)
        {
            var name = Name(LowestField(missing));
            problem = new ApiProblem(400, ApiProblemCodes.MissingField, $"{name} is required", name);
            return false;
        }

        problem = default;
        return true;
    }

    private bool TryTake(Fields field, ref Utf8JsonReader reader, ReadOnlySpan<byte> body, out ApiProblem problem)
    {
        problem = default;
        switch (field)
        {
            case Fields.Data:
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                Data = body[start..(int)reader.BytesConsumed].ToArray();
                return true;

            case Fields.Conn:
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var connection) || connection < 1)
                {
                    return Invalid("conn", "conn must be a positive integer (the conn number of the user's welcome)", out problem);
                }

                Connection = connection;
                return true;

            case Fields.Seconds:
                if (reader.TokenType == JsonTokenType.Null)
                {
                    Seconds = null;
                    return true;
                }

                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var seconds) || seconds < 0)
                {
                    return Invalid("seconds", "seconds must be a non-negative integer (0 lifts) or null (until lifted)", out problem);
                }

                Seconds = seconds;
                return true;

            case Fields.Seq:
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var seq) || seq < 1)
                {
                    return Invalid("seq", "seq must be a positive integer (a room message's seq)", out problem);
                }

                Seq = seq;
                return true;

            case Fields.On:
                if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
                {
                    return Invalid("on", "on must be true or false", out problem);
                }

                On = reader.TokenType == JsonTokenType.True;
                return true;

            case Fields.Rate:
                if (reader.TokenType == JsonTokenType.Null)
                {
                    Rate = null;
                    return true;
                }

                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out var rate) || !double.IsFinite(rate) || rate < 0 || rate > 10_000_000)
                {
                    return Invalid("rate", "rate must be a number of messages per second from 0 (not capped) to 10000000, or null (back to --room-max-rate)", out problem);
                }

                Rate = rate;
                return true;

            case Fields.High:
                if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
                {
                    return Invalid("high", "high must be true or false", out problem);
                }

                High = reader.TokenType == JsonTokenType.True;
                return true;
        }

        string? text = null;
        if (reader.TokenType == JsonTokenType.String)
        {
            try
            {
                text = reader.GetString();
            }
            catch (InvalidOperationException)
            {
                // An escaped lone surrogate: not text.
            }
        }

        switch (field)
        {
            case Fields.RoomId:
                if (text is null || text.Length == 0 || Encoding.UTF8.GetByteCount(text) > MaxRoomIdBytes)
                {
                    return Invalid("roomid", "roomid must be a string of 1 to 128 UTF-8 bytes", out problem);
                }

                RoomId = text;
                return true;

            case Fields.From:
                if (text is null || !UserIdRules.IsValid(text))
                {
                    return Invalid("from", "from must be a user id: 1-64 characters of A-Z a-z 0-9 _ . @ : -", out problem);
                }

                From = text;
                return true;

            case Fields.Id:
                if (text is null || !UserIdRules.IsValid(text))
                {
                    return Invalid("id", "id must be a user id: 1-64 characters of A-Z a-z 0-9 _ . @ : -", out problem);
                }

                UserId = text;
                return true;

            case Fields.Priority:
                if (!MessagePriorities.TryParse(text, out var priority))
                {
                    return Invalid("priority", "priority must be \"high\", \"normal\" or \"low\"", out problem);
                }

                Priority = priority;
                return true;

            default:
                if (text is null || Encoding.UTF8.GetByteCount(text) > MaxReasonBytes)
                {
                    return Invalid("reason", "reason must be a string of at most 123 UTF-8 bytes (it travels in the close frame)", out problem);
                }

                Reason = Encoding.UTF8.GetBytes(text);
                return true;
        }
    }

    private static bool Invalid(string field, string detail, out ApiProblem problem)
    {
        problem = new ApiProblem(400, ApiProblemCodes.InvalidField, detail, field);
        return false;
    }

    private static Fields Identify(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("roomid"u8) ? Fields.RoomId
        : reader.ValueTextEquals("from"u8) ? Fields.From
        : reader.ValueTextEquals("id"u8) ? Fields.Id
        : reader.ValueTextEquals("data"u8) ? Fields.Data
        : reader.ValueTextEquals("conn"u8) ? Fields.Conn
        : reader.ValueTextEquals("reason"u8) ? Fields.Reason
        : reader.ValueTextEquals("seconds"u8) ? Fields.Seconds
        : reader.ValueTextEquals("seq"u8) ? Fields.Seq
        : reader.ValueTextEquals("on"u8) ? Fields.On
        : reader.ValueTextEquals("priority"u8) ? Fields.Priority
        : reader.ValueTextEquals("rate"u8) ? Fields.Rate
        : reader.ValueTextEquals("high"u8) ? Fields.High
        : Fields.None;

    private static Fields Wanted(ApiEndpoint endpoint) => endpoint switch
    {
        ApiEndpoint.Disconnect => Fields.Id | Fields.Conn | Fields.Reason,
        ApiEndpoint.Recall => Fields.RoomId | Fields.Seq | Fields.From,
        ApiEndpoint.Publish => Required(endpoint) | Fields.Priority,
        ApiEndpoint.RoomHost => Required(endpoint) | Fields.High,
        _ => Required(endpoint),
    };

    private static Fields Required(ApiEndpoint endpoint) => endpoint switch
    {
        ApiEndpoint.Publish => Fields.RoomId | Fields.From | Fields.Data,
        ApiEndpoint.Notice => Fields.Id | Fields.From | Fields.Data,
        ApiEndpoint.Broadcast => Fields.From | Fields.Data,
        ApiEndpoint.Disconnect => Fields.Id,
        ApiEndpoint.Members => Fields.RoomId,
        ApiEndpoint.Online => Fields.Id,
        ApiEndpoint.Mute or ApiEndpoint.Ban => Fields.RoomId | Fields.Id | Fields.Seconds,
        ApiEndpoint.Recall => Fields.RoomId | Fields.Seq,
        ApiEndpoint.ReadOnly => Fields.RoomId | Fields.On,
        ApiEndpoint.RoomRate => Fields.RoomId | Fields.Rate,
        ApiEndpoint.RoomHost => Fields.RoomId | Fields.Id,
        _ => Fields.None,
    };

    private static Fields LowestField(Fields fields) => (Fields)((int)fields & -(int)fields);

    private static string Name(Fields field) => field switch
    {
        Fields.RoomId => "roomid",
        Fields.From => "from",
        Fields.Id => "id",
        Fields.Data => "data",
        Fields.Conn => "conn",
        Fields.Seconds => "seconds",
        Fields.Seq => "seq",
        Fields.On => "on",
        Fields.Priority => "priority",
        Fields.Rate => "rate",
        Fields.High => "high",
        _ => "reason",
    };

    [Flags]
    private enum Fields
    {
        None = 0,
        RoomId = 1,
        Id = 2,
        From = 4,
        Data = 8,
        Conn = 16,
        Reason = 32,
        Seconds = 64,
        Seq = 128,
        On = 256,
        Priority = 512,
        Rate = 1024,
        High = 2048,
    }
}
