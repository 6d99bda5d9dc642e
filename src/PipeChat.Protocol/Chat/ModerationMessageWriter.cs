using System.Buffers;

namespace PipeChat.Protocol.Chat;

/// <summary>
/// The server → client messages of token refresh and moderation (docs/protocol.md), written like
/// <see cref="ChatMessageWriter"/>'s: one span of the worst-case size, nothing allocated.
/// </summary>
public static class ModerationMessageWriter
{
    private const int LiteralBound = 128;
    private const int MaxInt = JsonSpanWriter.MaxInt64Length;

    /// <summary>
    /// An error with how long it still holds: <c>{"type":"error","data":{"code":"muted","message":"…","seconds":42},"ref":…}</c>;
    /// <paramref name="seconds"/> null (until lifted): no "seconds".
    /// </summary>
    public static void WriteErrorWithSeconds(IBufferWriter<byte> output, ChatError error, long? seconds, ReadOnlySpan<byte> reference)
    {
        var w = Begin(output, LiteralBound + Str(error.Code.Length) + Str(error.Message.Length) + MaxInt + reference.Length);
        w.Raw("{\"type\":\"error\",\"data\":{\"code\":"u8);
        w.String(error.Code);
        w.Raw(",\"message\":"u8);
        w.String(error.Message);
        if (seconds is { } value)
        {
            w.Raw(",\"seconds\":"u8);
            w.Int64(value);
        }

        w.Raw("}"u8);
        End(ref w, reference);
        output.Advance(w.Written);
    }

    /// <summary>To a room's members: <c>{"type":"recall","data":{"roomid":"r1","seq":42,"by":"mia"}}</c></summary>
    public static void WriteRecall(IBufferWriter<byte> output, ReadOnlySpan<char> roomId, long seq, ReadOnlySpan<char> by)
    {
        var w = Begin(output, LiteralBound + Str(roomId.Length) + Str(by.Length) + MaxInt);
        w.Raw("{\"type\":\"recall\",\"data\":{\"roomid\":"u8);
        w.String(roomId);
        w.Raw(",\"seq\":"u8);
        w.Int64(seq);
        w.Raw(",\"by\":"u8);
        w.String(by);
        w.Raw("}}"u8);
        output.Advance(w.Written);
    }

    /// <summary>
    /// What history and resume give in place of a recalled message: the same seq, no sender, no
    /// data: <c>{"type":"room","data":{"roomid":"r1","seq":42,"recalled":true}}</c>
    /// </summary>
    public static void WriteTombstone(IBufferWriter<byte> output, ReadOnlySpan<char> roomId, long seq)
    {
        var w = Begin(output, LiteralBound + Str(roomId.Length) + MaxInt);
        w.Raw("{\"type\":\"room\",\"data\":{\"roomid\":"u8);
        w.String(roomId);
        w.Raw(",\"seq\":"u8);
        w.Int64(seq);
        w.Raw(",\"recalled\":true}}"u8);
        output.Advance(w.Written);
    }

    /// <summary>Reply to refresh: <c>{"type":"ack","data":{"exp":1733650000},"ref":…}</c> (the new token's expiry, unix seconds).</summary>
    public static void WriteRefreshAck(IBufferWriter<byte> output, long expiresAt, ReadOnlySpan<byte> reference)
    {
        var w = Begin(output, LiteralBound + MaxInt + reference.Length);
        w.Raw("{\"type\":\"ack\",\"data\":{\"exp\":"u8);
        w.Int64(expiresAt);
        w.Raw("}"u8);
        End(ref w, reference);
        output.Advance(w.Written);
    }

    /// <summary>
    /// To a connection put out of a room (banned, or its token no longer allows the room):
    /// <c>{"type":"left","data":{"roomid":"r1","count":11,"reason":"banned"}}</c> (reason: banned or forbidden).
    /// </summary>
    public static void WriteRemoved(IBufferWriter<byte> output, ReadOnlySpan<char> roomId, int count, string reason)
    {
        var w = Begin(output, LiteralBound + Str(roomId.Length) + MaxInt + Str(reason.Length));
        w.Raw("{\"type\":\"left\",\"data\":{\"roomid\":"u8);
        w.String(roomId);
        w.Raw(",\"count\":"u8);
        w.Int64(count);
        w.Raw(",\"reason\":"u8);
        w.String(reason);
        w.Raw("}}"u8);
        output.Advance(w.Written);
    }

    private static JsonSpanWriter Begin(IBufferWriter<byte> output, int maxLength) => new(output.GetSpan(maxLength));

    private static int Str(int length) => JsonSpanWriter.MaxStringLength(length);

    private static void End(ref JsonSpanWriter w, ReadOnlySpan<byte> reference)
    {
        if (!reference.IsEmpty)
        {
            w.Raw(",\"ref\":"u8);
            w.Raw(reference);
        }

        w.Raw("}"u8);
    }
}
