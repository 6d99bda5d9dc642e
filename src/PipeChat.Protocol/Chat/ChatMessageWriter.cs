using System.Buffers;

namespace PipeChat.Protocol.Chat;

/// <summary>
/// Writes every server → client message as UTF-8 JSON into an <see cref="IBufferWriter{T}"/>,
/// allocating nothing: literal pieces, escaped strings, integers, and payloads copied verbatim.
/// Each method asks the writer once for a span large enough for the worst case, then advances
/// by what it wrote. Shapes are documented in docs/protocol.md.
/// </summary>
/// <remarks>
/// <c>reference</c> is the raw JSON of the request's "ref" (<see cref="ChatRequest.Ref"/>);
/// when empty the message has no "ref". A reply's "ref" is always its last member.
/// <c>payload</c> is raw JSON copied as is (an empty payload is written as null).
/// </remarks>
public static class ChatMessageWriter
{
    // Generous bound for the literal pieces of any one message.
    private const int LiteralBound = 128;
    private const int MaxInt = JsonSpanWriter.MaxInt64Length;

    /// <summary>
    /// <c>{"type":"welcome","data":{"id":"alice","conn":17,"server":"pipechat"}}</c>; with a token
    /// that has an expiry (<paramref name="expiresAt"/> unix seconds, not 0), <c>"exp":1733650000</c> after "server".
    /// </summary>
    public static void WriteWelcome(IBufferWriter<byte> output, ReadOnlySpan<char> userId, long connectionId, long expiresAt = 0)
    {
        var w = Begin(output, LiteralBound + Str(userId.Length) + (2 * MaxInt));
        w.Raw("{\"type\":\"welcome\",\"data\":{\"id\":"u8);
        w.String(userId);
        w.Raw(",\"conn\":"u8);
        w.Int64(connectionId);
        w.Raw(",\"server\":\"pipechat\""u8);
        if (expiresAt != 0)
        {
            w.Raw(",\"exp\":"u8);
            w.Int64(expiresAt);
        }

        w.Raw("}}"u8);
        output.Advance(w.Written);
    }

    /// <summary><c>{"type":"notice","from":"alice","data":&lt;payload&gt;}</c></summary>
    public static void WriteNotice(IBufferWriter<byte> output, ReadOnlySpan<char> from, ReadOnlySpan<byte> payload)
    {
        var w = Begin(output, LiteralBound + Str(from.Length) + payload.Length);
        w.Raw("{\"type\":\"notice\",\"from\":"u8);
        w.String(from);
        w.Raw(",\"data\":"u8);
        Payload(ref w, payload);
        w.Raw("}"u8);
        output.Advance(w.Written);
    }

    /// <summary><c>{"type":"room","data":{"roomid":"r1","from":"alice","seq":42,"ts":1732680000000,"data":&lt;payload&gt;}}</c></summary>
    public static void WriteRoom(IBufferWriter<byte> output, ReadOnlySpan<char> roomId, ReadOnlySpan<char> from, long seq, long timestampMs, ReadOnlySpan<byte> payload)
    {
        var w = Begin(output, LiteralBound + Str(roomId.Length) + Str(from.Length) + (2 * MaxInt) + payload.Length);
        w.Raw("{\"type\":\"room\",\"data\":{\"roomid\":"u8);
        w.String(roomId);
        w.Raw(",\"from\":"u8);
        w.String(from);
        w.Raw(",\"seq\":"u8);
        w.Int64(seq);
        w.Raw(",\"ts\":"u8);
        w.Int64(timestampMs);
        w.Raw(",\"data\":"u8);
        Payload(ref w, payload);
        w.Raw("}}"u8);
        output.Advance(w.Written);
    }

    /// <summary>Width of a blank seq slot: enough digits for any seq a JavaScript number holds exactly.</summary>
    public const int SeqSlotWidth = 16;

    /// <summary>
    /// A room message whose seq is not known yet: writes <see cref="SeqSlotWidth"/> spaces where
    /// the number goes and returns their offset from the start of what this call wrote, so the
    /// room's single publisher can stamp the seq at publish time (PipeChat's server closes the gap;
    /// <see cref="FillSeqSlot"/> fills it in place instead, leaving whitespace, which is valid JSON).
    /// </summary>
    /// <remarks>A priority other than normal is written right after the seq (<c>"seq":42,"priority":"high","ts":…</c>), where <see cref="OverloadMessageWriter.PriorityOf"/> finds it again.</remarks>
    public static void WriteRoom(IBufferWriter<byte> output, ReadOnlySpan<char> roomId, ReadOnlySpan<char> from, long timestampMs, ReadOnlySpan<byte> payload, out int seqSlot, MessagePriority priority = MessagePriority.Normal)
    {
        var w = Begin(output, LiteralBound + Str(roomId.Length) + Str(from.Length) + SeqSlotWidth + MaxInt + payload.Length);
        w.Raw("{\"type\":\"room\",\"data\":{\"roomid\":"u8);
        w.String(roomId);
        w.Raw(",\"from\":"u8);
        w.String(from);
        w.Raw(",\"seq\":"u8);
        seqSlot = w.Written;
        w.Raw("                "u8);
        if (priority == MessagePriority.High)
        {
            w.Raw(",\"priority\":\"high\""u8);
        }
        else if (priority == MessagePriority.Low)
        {
            w.Raw(",\"priority\":\"low\""u8);
        }

        w.Raw(",\"ts\":"u8);
        w.Int64(timestampMs);
        w.Raw(",\"data\":"u8);
        Payload(ref w, payload);
        w.Raw("}}"u8);
        output.Advance(w.Written);
    }

    /// <summary>An ack whose seq is stamped later: <c>{"type":"ack","data":{"seq":42},"ref":…}</c>; see <see cref="WriteRoom(IBufferWriter{byte}, ReadOnlySpan{char}, ReadOnlySpan{char}, long, ReadOnlySpan{byte}, out int)"/>.</summary>
    public static void WriteAck(IBufferWriter<byte> output, ReadOnlySpan<byte> reference, out int seqSlot)
    {
        var w = Begin(output, LiteralBound + SeqSlotWidth + reference.Length);
        w.Raw("{\"type\":\"ack\",\"data\":{\"seq\":"u8);
        seqSlot = w.Written;
        w.Raw("                "u8);
        w.Raw("}"u8);
        End(ref w, reference);
        output.Advance(w.Written);
    }

    /// <summary>Writes <paramref name="seq"/> left-aligned into a blank slot of <see cref="SeqSlotWidth"/> bytes.</summary>
    public static void FillSeqSlot(Span<byte> slot, long seq)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seq);
        if (!System.Buffers.Text.Utf8Formatter.TryFormat(seq, slot[..SeqSlotWidth], out var written))
        {
            throw new ArgumentOutOfRangeException(nameof(seq), "seq does not fit its slot");
        }

        slot[written..SeqSlotWidth].Fill((byte)' ');
    }

    /// <summary><c>{"type":"broadcast","from":"alice","data":&lt;payload&gt;}</c></summary>
    public static void WriteBroadcast(IBufferWriter<byte> output, ReadOnlySpan<char> from, ReadOnlySpan<byte> payload)
    {
        var w = Begin(output, LiteralBound + Str(from.Length) + payload.Length);
        w.Raw("{\"type\":\"broadcast\",\"from\":"u8);
        w.String(from);
        w.Raw(",\"data\":"u8);
        Payload(ref w, payload);
        w.Raw("}"u8);
        output.Advance(w.Written);
    }

    /// <summary>Presence event to a room's members: <c>{"type":"join","data":{"roomid":"r1","id":"bob","count":12}}</c></summary>
    public static void WriteJoinEvent(IBufferWriter<byte> output, ReadOnlySpan<char> roomId, ReadOnlySpan<char> userId, int count) =>
        WritePresence(output, "{\"type\":\"join\",\"data\":{\"roomid\":"u8, roomId, userId, count);

    /// <summary>Presence event to a room's members: <c>{"type":"leave","data":{"roomid":"r1","id":"bob","count":11}}</c></summary>
    public static void WriteLeaveEvent(IBufferWriter<byte> output, ReadOnlySpan<char> roomId, ReadOnlySpan<char> userId, int count) =>
        WritePresence(output, "{\"type\":\"leave\",\"data\":{\"roomid\":"u8, roomId, userId, count);

    /// <summary>Reply to join: <c>{"type":"joined","data":{"roomid":"r1","count":12,"seq":41},"ref":…}</c> (seq: the room's last message seq).</summary>
    public static void WriteJoined(IBufferWriter<byte> output, ReadOnlySpan<byte> reference, ReadOnlySpan<char> roomId, int count, long seq)
    {
        var w = Begin(output, LiteralBound + Str(roomId.Length) + (2 * MaxInt) + reference.Length);
        w.Raw("{\"type\":\"joined\",\"data\":{\"roomid\":"u8);
        w.String(roomId);
        w.Raw(",\"count\":"u8);
        w.Int64(count);
        w.Raw(",\"seq\":"u8);
        w.Int64(seq);
        w.Raw("}"u8);
        End(ref w, reference);
        output.Advance(w.Written);
    }

    /// <summary>
    /// Reply to join with the room's history position:
    /// <c>{"type":"joined","data":{"roomid":"r1","count":12,"seq":41,"epoch":"9f2c…"},"ref":…}</c>
    /// (seq: the room's last message seq; epoch: changes whenever the room's history was lost).
    /// </summary>
    public static void WriteJoined(IBufferWriter<byte> output, ReadOnlySpan<byte> reference, ReadOnlySpan<char> roomId, int count, long seq, ReadOnlySpan<char> epoch)
    {
        var w = Begin(output, LiteralBound + Str(roomId.Length) + Str(epoch.Length) + (2 * MaxInt) + reference.Length);
        w.Raw("{\"type\":\"joined\",\"data\":{\"roomid\":"u8);
        w.String(roomId);
        w.Raw(",\"count\":"u8);
        w.Int64(count);
        w.Raw(",\"seq\":"u8);
        w.Int64(seq);
        w.Raw(",\"epoch\":"u8);
        w.String(epoch);
        w.Raw("}"u8);
        End(ref w, reference);
        output.Advance(w.Written);
    }

    /// <summary>
    /// The room's history cannot fill the gap a re-joining client asked for (too old, or the epoch
    /// changed): <c>{"type":"reset","data":{"roomid":"r1","seq":41,"epoch":"9f2c…"},"ref":…}</c>. The app reloads.
    /// </summary>
    public static void WriteReset(IBufferWriter<byte> output, ReadOnlySpan<byte> reference, ReadOnlySpan<char> roomId, long seq, ReadOnlySpan<char> epoch)
    {
        var w = Begin(output, LiteralBound + Str(roomId.Length) + Str(epoch.Length) + MaxInt + reference.Length);
        w.Raw("{\"type\":\"reset\",\"data\":{\"roomid\":"u8);
        w.String(roomId);
        w.Raw(",\"seq\":"u8);
        w.Int64(seq);
        w.Raw(",\"epoch\":"u8);
        w.String(epoch);
        w.Raw("}"u8);
        End(ref w, reference);
        output.Advance(w.Written);
    }

    /// <summary>
    /// Reply to a history request: <c>{"type":"history","data":{"roomid":"r1","epoch":"…","more":true,"messages":[…]},"ref":…}</c>
    /// where each element is a complete room message as it was delivered (oldest first).
    /// </summary>
    public static void WriteHistory(IBufferWriter<byte> output, ReadOnlySpan<byte> reference, ReadOnlySpan<char> roomId, ReadOnlySpan<char> epoch, bool more, ReadOnlySpan<ReadOnlyMemory<byte>> messages)
    {
        var total = 0;
        foreach (var message in messages)
        {
            total += message.Length + 1;
        }

        var w = Begin(output, LiteralBound + Str(roomId.Length) + Str(epoch.Length) + total + reference.Length);
        w.Raw("{\"type\":\"history\",\"data\":{\"roomid\":"u8);
        w.String(roomId);
        w.Raw(",\"epoch\":"u8);
        w.String(epoch);
        w.Raw(",\"more\":"u8);
        w.Bool(more);
        w.Raw(",\"messages\":["u8);
        for (var i = 0; i < messages.Length; i++)
        {
            if (i > 0)
            {
                w.Raw(","u8);
            }

            w.Raw(messages[i].Span);
        }

        w.Raw("]}"u8);
        End(ref w, reference);
        output.Advance(w.Written);
    }

    /// <summary>Reply to leave: <c>{"type":"left","data":{"roomid":"r1","count":11},"ref":…}</c></summary>
    public static void WriteLeft(IBufferWriter<byte> output, ReadOnlySpan<byte> reference, ReadOnlySpan<char> roomId, int count)
    {
        var w = Begin(output, LiteralBound + Str(roomId.Length) + MaxInt + reference.Length);
        w.Raw("{\"type\":\"left\",\"data\":{\"roomid\":"u8);
        w.String(roomId);
        w.Raw(",\"count\":"u8);
        w.Int64(count);
        w.Raw("}"u8);
        End(ref w, reference);
        output.Advance(w.Written);
    }

    /// <summary>
    /// Reply to a room query: <c>{"type":"members","data":{"roomid":"r1","count":12,"members":["alice","bob"],"truncated":false},"ref":…}</c>.
    /// Lists at most <paramref name="maxMembers"/> of <paramref name="members"/>; truncated is
    /// true when fewer ids were listed than <paramref name="count"/>.
    /// </summary>
    public static void WriteMembers(IBufferWriter<byte> output, ReadOnlySpan<byte> reference, ReadOnlySpan<char> roomId, int count, ReadOnlySpan<string> members, int maxMembers)
    {
        var listed = members[..Math.Clamp(maxMembers, 0, members.Length)];
        var bound = LiteralBound + Str(roomId.Length) + MaxInt + reference.Length;
        foreach (var member in listed)
        {
            bound += Str(member.Length) + 1;
        }

        var w = Begin(output, bound);
        w.Raw("{\"type\":\"members\",\"data\":{\"roomid\":"u8);
        w.String(roomId);
        w.Raw(",\"count\":"u8);
        w.Int64(count);
        w.Raw(",\"members\":["u8);
        for (var i = 0; i < listed.Length; i++)
        {
            if (i > 0)
            {
                w.Raw(","u8);
            }

            w.String(listed[i]);
        }

        w.Raw("],\"truncated\":"u8);
        w.Bool(listed.Length < count);
        w.Raw("}"u8);
        End(ref w, reference);
        output.Advance(w.Written);
    }

    /// <summary>Reply to a user query: <c>{"type":"online","data":{"id":"bob","online":true,"connections":2},"ref":…}</c></summary>
    public static void WriteOnline(IBufferWriter<byte> output, ReadOnlySpan<byte> reference, ReadOnlySpan<char> userId, int connections)
    {
        var w = Begin(output, LiteralBound + Str(userId.Length) + MaxInt + reference.Length);
        w.Raw("{\"type\":\"online\",\"data\":{\"id\":"u8);
        w.String(userId);
        w.Raw(",\"online\":"u8);
        w.Bool(connections > 0);
        w.Raw(",\"connections\":"u8);
        w.Int64(connections);
        w.Raw("}"u8);
        End(ref w, reference);
        output.Advance(w.Written);
    }

    /// <summary>Reply to ping: <c>{"type":"pong"}</c> or <c>{"type":"pong","ref":…}</c></summary>
    public static void WritePong(IBufferWriter<byte> output, ReadOnlySpan<byte> reference)
    {
        var w = Begin(output, LiteralBound + reference.Length);
        w.Raw("{\"type\":\"pong\""u8);
        End(ref w, reference);
        output.Advance(w.Written);
    }

    /// <summary>
    /// Acceptance of a room/notice/broadcast that carried a ref:
    /// <c>{"type":"ack","data":{"seq":42},"ref":…}</c> for a room message, <c>{"type":"ack","ref":…}</c> otherwise.
    /// </summary>
    public static void WriteAck(IBufferWriter<byte> output, ReadOnlySpan<byte> reference, long? seq = null)
    {
        var w = Begin(output, LiteralBound + MaxInt + reference.Length);
        w.Raw("{\"type\":\"ack\""u8);
        if (seq is { } value)
        {
            w.Raw(",\"data\":{\"seq\":"u8);
            w.Int64(value);
            w.Raw("}"u8);
        }

        End(ref w, reference);
        output.Advance(w.Written);
    }

    /// <summary><c>{"type":"error","data":{"code":"offline","message":"the other side is offline"},"ref":…}</c></summary>
    public static void WriteError(IBufferWriter<byte> output, ChatError error, ReadOnlySpan<byte> reference)
    {
        var code = error.Code ?? ChatErrorCodes.Internal;
        var message = error.Message ?? string.Empty;
        var w = Begin(output, LiteralBound + Str(code.Length) + Str(message.Length) + reference.Length);
        w.Raw("{\"type\":\"error\",\"data\":{\"code\":"u8);
        w.String(code);
        w.Raw(",\"message\":"u8);
        w.String(message);
        w.Raw("}"u8);
        End(ref w, reference);
        output.Advance(w.Written);
    }

    private static void WritePresence(IBufferWriter<byte> output, ReadOnlySpan<byte> head, ReadOnlySpan<char> roomId, ReadOnlySpan<char> userId, int count)
    {
        var w = Begin(output, LiteralBound + Str(roomId.Length) + Str(userId.Length) + MaxInt);
        w.Raw(head);
        w.String(roomId);
        w.Raw(",\"id\":"u8);
        w.String(userId);
        w.Raw(",\"count\":"u8);
        w.Int64(count);
        w.Raw("}}"u8);
        output.Advance(w.Written);
    }

    private static JsonSpanWriter Begin(IBufferWriter<byte> output, int maxLength) => new(output.GetSpan(maxLength));

    private static int Str(int length) => JsonSpanWriter.MaxStringLength(length);

    private static void Payload(ref JsonSpanWriter w, ReadOnlySpan<byte> payload) => w.Raw(payload.IsEmpty ? "null"u8 : payload);

    /// <summary>Appends <c>,"ref":…</c> when there is one, then closes the message object.</summary>
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
