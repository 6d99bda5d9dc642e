using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using PipeChat.Protocol.Chat;

namespace PipeChat.Fuzz;

/// <summary>
/// Fuzzes <see cref="ChatRequestParser"/> and, on what it accepts, <see cref="ChatMessageWriter"/>.
/// Input: one whole text message.
/// </summary>
/// <remarks>
/// Invariants: no exception; an accepted request has a type, ids within their limits, and Data
/// that System.Text.Json parses; every reply written from it (room, notice, broadcast, joined,
/// left, members, online, pong, ack, the seq-slot forms) parses with <see cref="JsonDocument"/>
/// and carries Data and Ref verbatim; a refused request has an error code and its error reply,
/// with whatever Ref was read, parses too. The frame layer passes only valid UTF-8, so the
/// UTF-8 checks on ids apply when the input is valid UTF-8.
/// </remarks>
public static class ChatCodecTarget
{
    private static readonly JsonDocumentOptions s_documentOptions = new() { MaxDepth = ChatRequestParser.MaxDepth + 8 };

    public static void Run(ReadOnlySpan<byte> input)
    {
        var scratch = new byte[ChatRequestParser.ScratchLength];
        scratch.AsSpan().Fill(0xA5);
        var output = new ArrayBufferWriter<byte>();
        if (!ChatRequestParser.TryParse(input, scratch, out var request, out var error))
        {
            FuzzInvariantException.Check(!error.IsNone && !string.IsNullOrEmpty(error.Message), "refused without an error");
            ChatMessageWriter.WriteError(output, error, request.Ref);
            CheckReply(output, "error", request.Ref);
            return;
        }

        FuzzInvariantException.Check(error.IsNone, $"accepted with error {error.Code}");
        FuzzInvariantException.Check(request.Type != ChatRequestType.None, "accepted without a type");
        FuzzInvariantException.Check(request.RoomId.Length <= ChatRequestParser.MaxIdLength, $"roomid of {request.RoomId.Length} bytes");
        FuzzInvariantException.Check(request.TargetId.Length <= ChatRequestParser.MaxIdLength, $"id of {request.TargetId.Length} bytes");
        FuzzInvariantException.Check(request.Epoch.Length <= ChatRequestParser.MaxEpochLength, $"epoch of {request.Epoch.Length} bytes");
        FuzzInvariantException.Check(request.Since is null or >= 0 && request.Before is null or >= 0 && request.Limit is null or > 0, "negative since/before/limit");
        if (Utf8.IsValid(input))
        {
            FuzzInvariantException.Check(Utf8.IsValid(request.RoomId) && Utf8.IsValid(request.TargetId), "id is not valid UTF-8");
        }

        if (!request.Data.IsEmpty)
        {
            try
            {
                using var data = JsonDocument.Parse(request.Data.ToArray(), s_documentOptions);
            }
            catch (JsonException exception)
            {
                throw new FuzzInvariantException($"Data is not JSON: {exception.Message}");
            }
        }

        var roomId = Encoding.UTF8.GetString(request.RoomId);
        var from = request.TargetId.IsEmpty ? "fuzzer" : Encoding.UTF8.GetString(request.TargetId);
        var reference = request.Ref;
        switch (request.Type)
        {
            case ChatRequestType.Room:
                FuzzInvariantException.Check(!request.RoomId.IsEmpty, "room without roomid");
                ChatMessageWriter.WriteRoom(output, roomId, from, 42, 1_732_680_000_000, request.Data);
                CheckReply(output, "room", default, request.Data, PayloadAt.DataData);
                ChatMessageWriter.WriteRoom(output, roomId, from, 1_732_680_000_000, request.Data, out var roomSlot);
                ChatMessageWriter.FillSeqSlot(SlotIn(output, roomSlot), 9_007_199_254_740_991);
                CheckReply(output, "room", default, request.Data, PayloadAt.DataData);
                break;
            case ChatRequestType.Notice:
                FuzzInvariantException.Check(!request.TargetId.IsEmpty, "notice without id");
                ChatMessageWriter.WriteNotice(output, from, request.Data);
                CheckReply(output, "notice", default, request.Data, PayloadAt.Data);
                break;
            case ChatRequestType.Broadcast:
                ChatMessageWriter.WriteBroadcast(output, from, request.Data);
                CheckReply(output, "broadcast", default, request.Data, PayloadAt.Data);
                break;
            case ChatRequestType.Join:
                FuzzInvariantException.Check(!request.RoomId.IsEmpty, "join without roomid");
                ChatMessageWriter.WriteJoined(output, reference, roomId, 12, 41);
                CheckReply(output, "joined", reference);
                ChatMessageWriter.WriteJoinEvent(output, roomId, from, 12);
                CheckReply(output, "join", default);
                break;
            case ChatRequestType.Leave:
                FuzzInvariantException.Check(!request.RoomId.IsEmpty, "leave without roomid");
                ChatMessageWriter.WriteLeft(output, reference, roomId, 11);
                CheckReply(output, "left", reference);
                ChatMessageWriter.WriteLeaveEvent(output, roomId, from, 11);
                CheckReply(output, "leave", default);
                break;
            case ChatRequestType.Query:
                FuzzInvariantException.Check(request.RoomId.IsEmpty != request.TargetId.IsEmpty, "query needs exactly one of roomid and id");
                ChatMessageWriter.WriteMembers(output, reference, roomId, 3, (ReadOnlySpan<string>)[from, roomId], 1);
                CheckReply(output, "members", reference);
                ChatMessageWriter.WriteOnline(output, reference, from, 2);
                CheckReply(output, "online", reference);
                break;
            case ChatRequestType.History:
                FuzzInvariantException.Check(!request.RoomId.IsEmpty, "history without roomid");
                break;
            case ChatRequestType.Ping:
                ChatMessageWriter.WritePong(output, reference);
                CheckReply(output, "pong", reference);
                break;
        }

        ChatMessageWriter.WriteAck(output, reference, 42);
        CheckReply(output, "ack", reference);
        ChatMessageWriter.WriteAck(output, reference, out var ackSlot);
        ChatMessageWriter.FillSeqSlot(SlotIn(output, ackSlot), 7);
        CheckReply(output, "ack", reference);
    }

    private static Span<byte> SlotIn(ArrayBufferWriter<byte> output, int slot)
        => MemoryMarshal.AsMemory(output.WrittenMemory).Span.Slice(slot, ChatMessageWriter.SeqSlotWidth);

    /// <summary>Parses the reply, checks its type, its ref and its payload (verbatim), and clears the writer.</summary>
    private static void CheckReply(
        ArrayBufferWriter<byte> output, string type, ReadOnlySpan<byte> reference, ReadOnlySpan<byte> payload = default, PayloadAt at = PayloadAt.None)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(output.WrittenMemory.ToArray(), s_documentOptions);
        }
        catch (JsonException exception)
        {
            throw new FuzzInvariantException($"{type} reply is not JSON: {exception.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            FuzzInvariantException.Check(
                root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type", out var typeValue) && typeValue.ValueEquals(type), $"{type} reply type");
            if (!reference.IsEmpty)
            {
                FuzzInvariantException.Check(
                    root.TryGetProperty("ref", out var refValue) && RawEquals(refValue, reference), $"{type} reply ref differs");
            }

            if (at != PayloadAt.None)
            {
                var element = root.GetProperty("data");
                if (at == PayloadAt.DataData)
                {
                    element = element.GetProperty("data");
                }

                FuzzInvariantException.Check(RawEquals(element, payload.IsEmpty ? "null"u8 : payload), $"{type} payload changed on the way through");
            }
        }

        output.ResetWrittenCount();
    }

    private static bool RawEquals(JsonElement element, ReadOnlySpan<byte> expected)
        => JsonMarshal.GetRawUtf8Value(element).SequenceEqual(expected);

    private enum PayloadAt
    {
        None,
        Data,
        DataData,
    }
}
