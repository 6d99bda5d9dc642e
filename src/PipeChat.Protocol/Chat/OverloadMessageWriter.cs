using System.Buffers;

namespace PipeChat.Protocol.Chat;

/// <summary>
/// The server → client messages of live rooms under overload (docs/protocol.md): what a member
/// that fell behind skipped, a room counter's coalesced value, and the ack of a room message the
/// room's ingress cap dropped. Allocation-free, like <see cref="ChatMessageWriter"/>.
/// </summary>
public static class OverloadMessageWriter
{
    private const int LiteralBound = 128;
    private const int MaxInt = JsonSpanWriter.MaxInt64Length;

    /// <summary><c>{"type":"skipped","data":{"roomid":"r1","from_seq":10,"to_seq":42,"count":30}}</c></summary>
    public static void WriteSkipped(IBufferWriter<byte> output, ReadOnlySpan<char> roomId, long fromSeq, long toSeq, long count)
    {
        var w = new JsonSpanWriter(output.GetSpan(LiteralBound + JsonSpanWriter.MaxStringLength(roomId.Length) + (3 * MaxInt)));
        w.Raw("{\"type\":\"skipped\",\"data\":{\"roomid\":"u8);
        w.String(roomId);
        w.Raw(",\"from_seq\":"u8);
        w.Int64(fromSeq);
        w.Raw(",\"to_seq\":"u8);
        w.Int64(toSeq);
        w.Raw(",\"count\":"u8);
        w.Int64(count);
        w.Raw("}}"u8);
        output.Advance(w.Written);
    }

    /// <summary><c>{"type":"counter","data":{"roomid":"r1","name":"likes","value":1234}}</c></summary>
    public static void WriteCounter(IBufferWriter<byte> output, ReadOnlySpan<char> roomId, ReadOnlySpan<char> name, long value)
    {
        var w = new JsonSpanWriter(output.GetSpan(LiteralBound + JsonSpanWriter.MaxStringLength(roomId.Length) + JsonSpanWriter.MaxStringLength(name.Length) + MaxInt));
        w.Raw("{\"type\":\"counter\",\"data\":{\"roomid\":"u8);
        w.String(roomId);
        w.Raw(",\"name\":"u8);
        w.String(name);
        w.Raw(",\"value\":"u8);
        w.Int64(value);
        w.Raw("}}"u8);
        output.Advance(w.Written);
    }

    /// <summary>
    /// A room message dropped by the room's ingress cap (no seq, not kept):
    /// <c>{"type":"ack","data":{"dropped":true,"reason":"room_rate","priority":"low"},"ref":…}</c>.
    /// </summary>
    public static void WriteDroppedAck(IBufferWriter<byte> output, ReadOnlySpan<byte> reference, MessagePriority priority)
    {
        var w = new JsonSpanWriter(output.GetSpan(LiteralBound + reference.Length));
        w.Raw("{\"type\":\"ack\",\"data\":{\"dropped\":true,\"reason\":\"room_rate\",\"priority\":\""u8);
        w.Raw(priority == MessagePriority.Low ? "low"u8 : "normal"u8);
        w.Raw("\"}"u8);
        if (!reference.IsEmpty)
        {
            w.Raw(",\"ref\":"u8);
            w.Raw(reference);
        }

        w.Raw("}"u8);
        output.Advance(w.Written);
    }

    /// <summary>
    /// The priority of a room message as the server wrote it (another node's copy, from Redis):
    /// the <c>"priority"</c> right after its seq, normal when there is none. The first
    /// <c>,"seq":</c> in the bytes is the message's own (quotes inside strings are escaped).
    /// </summary>
    public static MessagePriority PriorityOf(ReadOnlySpan<byte> roomMessage)
    {
        var at = roomMessage.IndexOf(",\"seq\":"u8);
        if (at < 0)
        {
            return MessagePriority.Normal;
        }

        var rest = roomMessage[(at + 7)..];
        var i = 0;
        while (i < rest.Length && (rest[i] is (byte)' ' || char.IsAsciiDigit((char)rest[i])))
        {
            i++;
        }

        rest = rest[i..];
        return rest.StartsWith(",\"priority\":\"high\""u8) ? MessagePriority.High
            : rest.StartsWith(",\"priority\":\"low\""u8) ? MessagePriority.Low
            : MessagePriority.Normal;
    }
}
