using System.Buffers;
using System.Text.Unicode;
using PipeChat.Protocol.Framing;

namespace PipeChat.Fuzz;

/// <summary>
/// Fuzzes <see cref="WebSocketReader"/> the way a pipe read loop drives it.
/// Input: byte 0 = config (bit 0: client side; bits 1–3: message limit; bits 4–5: sink chunk),
/// byte 1 = how the rest is split into arriving pieces (see <see cref="InputPieces.Lengths"/>),
/// then the frames.
/// </summary>
/// <remarks>
/// Invariants: no exception; consumed stays within the input and every event consumes bytes;
/// NeedMoreData leaves less than a frame header unconsumed; a message is within the limit, Text
/// or Binary, and valid UTF-8 when Text; control payloads ≤ 125; a close code is 1005 (empty) or
/// one a peer may send; an error carries 1002, 1007 or 1009 and repeats; and the events are the
/// same whether the input arrives whole or in pieces.
/// </remarks>
public static class WebSocketReaderTarget
{
    private const int MaxFrameHeaderLength = 14;
    private const int MaxControlPayload = 125;

    private static readonly long[] s_limits = [0, 1, 2, 125, 126, 1000, 65536, 1 << 20];
    private static readonly int[] s_chunks = [0, 1, 3, 7];

    private static readonly int[] s_factors = [1, 2, 64, 4096];

    public static void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length < 2)
        {
            return;
        }

        RunFrames(input[0], input[1], input[2..].ToArray(), inflater: null);
    }

    /// <summary>
    /// permessage-deflate negotiated: as <see cref="Run"/>, with a third config byte for the
    /// stand-in decompressor (bits 0–1: bytes out per byte in, 1/2/64/4096; bits 2–7: a byte value
    /// that is "bad data", 0 for none), so RSV1 messages, their size limit after decompression,
    /// UTF-8 after decompression and bad compressed data all get exercised.
    /// </summary>
    public static void RunDeflate(ReadOnlySpan<byte> input)
    {
        if (input.Length < 3)
        {
            return;
        }

        var factor = s_factors[input[2] & 3];
        byte? failOn = (input[2] >> 2) == 0 ? null : (byte)((input[2] >> 2) * 4);
        RunFrames(input[0], input[1], input[3..].ToArray(), () => new RepeatingInflater { Factor = factor, FailOn = failOn });
    }

    private static void RunFrames(byte config, byte split, byte[] frames, Func<IMessageInflater>? inflater)
    {
        var isServer = (config & 1) == 0;
        var limit = s_limits[(config >> 1) & 7];
        var chunk = s_chunks[(config >> 4) & 3];
        var pieces = InputPieces.Lengths(frames.Length, split);

        var events = Drive(frames, pieces, isServer, limit, chunk, inflater?.Invoke());
        if (pieces.Count > 1)
        {
            var whole = Drive(frames, [frames.Length], isServer, limit, chunk, inflater?.Invoke());
            FuzzInvariantException.Check(events.Count == whole.Count, $"{events.Count} events in pieces, {whole.Count} whole");
            for (var i = 0; i < events.Count; i++)
            {
                FuzzInvariantException.Check(events[i].SameAs(whole[i]), $"event {i} differs: {events[i]} in pieces, {whole[i]} whole");
            }
        }
    }

    private static List<Event> Drive(byte[] frames, List<int> pieces, bool isServer, long limit, int chunk, IMessageInflater? inflater)
    {
        var reader = new WebSocketReader(isServer, limit) { Inflater = inflater };
        var sink = new ChunkedBufferWriter(chunk);
        var events = new List<Event>();
        var chain = new InputPieces.Chain();
        var offset = 0;
        foreach (var length in pieces)
        {
            var input = chain.Append(frames.AsMemory(offset, length));
            offset += length;
            while (true)
            {
                var result = reader.Read(input, sink, out var consumed);
                long used;
                try
                {
                    used = input.Slice(input.Start, consumed).Length;
                }
                catch (ArgumentOutOfRangeException)
                {
                    throw new FuzzInvariantException($"{result}: consumed lies outside the input");
                }

                var rest = input.Slice(consumed);
                if (result == WebSocketReadResult.NeedMoreData)
                {
                    FuzzInvariantException.Check(rest.Length < MaxFrameHeaderLength, $"NeedMoreData left {rest.Length} bytes unconsumed");
                    input = rest;
                    break;
                }

                FuzzInvariantException.Check(used > 0 || result == WebSocketReadResult.Error, $"{result} consumed nothing");
                events.Add(Check(ref reader, result, sink, limit));
                if (result == WebSocketReadResult.Error)
                {
                    var again = reader.Read(rest, sink, out _);
                    FuzzInvariantException.Check(again == WebSocketReadResult.Error, $"Read after an error returned {again}");
                    return events;
                }

                if (result == WebSocketReadResult.Message)
                {
                    // A control frame between fragments leaves the open message in the sink.
                    sink.Clear();
                }

                input = rest;
            }

            chain.Keep(input);
        }

        return events;
    }

    private static Event Check(ref WebSocketReader reader, WebSocketReadResult result, ChunkedBufferWriter sink, long limit)
    {
        switch (result)
        {
            case WebSocketReadResult.Message:
                FuzzInvariantException.Check(sink.WrittenCount <= limit, $"message of {sink.WrittenCount} bytes over the {limit} limit");
                FuzzInvariantException.Check(
                    reader.MessageType is WebSocketOpcode.Text or WebSocketOpcode.Binary, $"message type {reader.MessageType}");
                FuzzInvariantException.Check(
                    reader.MessageType != WebSocketOpcode.Text || Utf8.IsValid(sink.WrittenSpan), "text message is not valid UTF-8");
                FuzzInvariantException.Check(!reader.IsInMessage, "message reported while still in a message");
                return new Event(result, (int)reader.MessageType, sink.WrittenSpan.ToArray());

            case WebSocketReadResult.Ping:
            case WebSocketReadResult.Pong:
                FuzzInvariantException.Check(reader.ControlPayload.Length <= MaxControlPayload, "control payload over 125 bytes");
                return new Event(result, 0, reader.ControlPayload.ToArray());

            case WebSocketReadResult.Close:
                var code = reader.CloseCode;
                var payload = reader.ControlPayload;
                FuzzInvariantException.Check(
                    payload.IsEmpty ? code == 1005 : payload.Length >= 2 && IsSendableCloseCode(code), $"close code {code} with {payload.Length} payload bytes");
                FuzzInvariantException.Check(Utf8.IsValid(reader.CloseReason), "close reason is not valid UTF-8");
                FuzzInvariantException.Check(reader.CloseReason.Length <= MaxControlPayload - 2, "close reason over 123 bytes");
                return new Event(result, code, payload.ToArray());

            case WebSocketReadResult.Error:
                FuzzInvariantException.Check(reader.CloseCode is 1002 or 1007 or 1009, $"error close code {reader.CloseCode}");
                FuzzInvariantException.Check(!string.IsNullOrEmpty(reader.ErrorReason), "error without a reason");
                return new Event(result, reader.CloseCode, []);

            default:
                throw new FuzzInvariantException($"unknown result {result}");
        }
    }

    /// <summary>RFC 6455 §7.4: 1000–1003, 1007–1011, IANA's 1012–1014, and 3000–4999.</summary>
    private static bool IsSendableCloseCode(ushort code)
        => code is (>= 1000 and <= 1003) or (>= 1007 and <= 1014) or (>= 3000 and <= 4999);

    private readonly record struct Event(WebSocketReadResult Result, int Detail, byte[] Payload)
    {
        public bool SameAs(Event other)
            => Result == other.Result && Detail == other.Detail && Payload.AsSpan().SequenceEqual(other.Payload);

        public override string ToString() => $"{Result}/{Detail}/{Payload.Length}B";
    }
}
