namespace PipeChat.Protocol.Chat;

/// <summary>
/// One parsed client request. Spans point into the request bytes, or into the scratch buffer
/// given to <see cref="ChatRequestParser.TryParse"/> for strings that carried JSON escapes, so
/// the request lives only as long as both.
/// </summary>
/// <remarks>
/// Which members are set depends on <see cref="Type"/>:
/// join: RoomId (+ Since, Epoch); leave: RoomId; notice: TargetId, Data; room: RoomId, Data;
/// broadcast: Data; query: exactly one of RoomId (members query) or TargetId (user query);
/// ping: nothing; history: RoomId (+ Before, Limit); room also Priority; count: RoomId, CounterName, By;
/// refresh: Token; mute, ban: RoomId, TargetId (+ Seconds); recall: RoomId, Seq; readonly: RoomId, On.
/// </remarks>
public readonly ref struct ChatRequest
{
    public ChatRequestType Type { get; init; }

    /// <summary>
    /// The raw JSON of the request's "ref" (a string token with its quotes, or a number),
    /// echoed verbatim in the reply; empty when the request had none.
    /// </summary>
    public ReadOnlySpan<byte> Ref { get; init; }

    /// <summary>data.roomid, unescaped UTF-8 (1 to <see cref="ChatRequestParser.MaxIdLength"/> bytes).</summary>
    public ReadOnlySpan<byte> RoomId { get; init; }

    /// <summary>data.id of a notice or a user query, unescaped UTF-8.</summary>
    public ReadOnlySpan<byte> TargetId { get; init; }

    /// <summary>
    /// The payload to forward verbatim, as raw JSON: data.data of a notice or room message,
    /// the whole data value of a broadcast. Any JSON kind, null included.
    /// </summary>
    public ReadOnlySpan<byte> Data { get; init; }

    /// <summary>join: data.since, the last room seq the client has seen (later use).</summary>
    public long? Since { get; init; }

    /// <summary>history: data.before, a room seq.</summary>
    public long? Before { get; init; }

    /// <summary>history: data.limit.</summary>
    public int? Limit { get; init; }

    /// <summary>room: data.priority (normal when absent).</summary>
    public MessagePriority Priority { get; init; }

    /// <summary>count: data.name, the counter's name, unescaped UTF-8.</summary>
    public ReadOnlySpan<byte> CounterName { get; init; }

    /// <summary>count: data.by, the increment (1 when absent; may be negative).</summary>
    public long By { get; init; }

    /// <summary>join: data.epoch, the room epoch the client last saw: a string's unescaped bytes or a number's text.</summary>
    public ReadOnlySpan<byte> Epoch { get; init; }

    /// <summary>refresh: data.token, the new JWT (ASCII, as sent: a JWT needs no JSON escapes).</summary>
    public ReadOnlySpan<byte> Token { get; init; }

    /// <summary>mute, ban: data.seconds (0 lifts); null: until lifted.</summary>
    public long? Seconds { get; init; }

    /// <summary>recall: data.seq, the message to recall.</summary>
    public long Seq { get; init; }

    /// <summary>readonly: data.on.</summary>
    public bool On { get; init; }
}
