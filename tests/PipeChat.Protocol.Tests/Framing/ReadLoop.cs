using System.Buffers;
using PipeChat.Protocol.Framing;
using PipeChat.Protocol.Tests.Support;

namespace PipeChat.Protocol.Tests.Framing;

/// <summary>One event a <see cref="WebSocketReader"/> reported, with copies of what it exposed.</summary>
internal sealed record ReadEvent(WebSocketReadResult Result, WebSocketOpcode MessageType, byte[] Data, byte[] ControlPayload, ushort CloseCode, string? ErrorReason, byte[] CloseReason);

/// <summary>
/// Drives a <see cref="WebSocketReader"/> the way a pipe read loop does: call Read with what has
/// arrived so far, keep what was not consumed, append the next piece, repeat.
/// </summary>
internal static class ReadLoop
{
    /// <summary>Feeds the input in the three shapes (whole, split at every offset, one byte per piece).</summary>
    public static IEnumerable<(string Shape, List<ReadEvent> Events)> AllShapes(byte[] input, bool isServer, long maxMessageBytes = 1 << 20, Func<IMessageInflater>? inflater = null)
    {
        yield return ("whole", Run([input], isServer, maxMessageBytes, inflater?.Invoke()));
        for (var i = 1; i < input.Length; i++)
        {
            yield return ($"split@{i}", Run([input.AsMemory(0, i), input.AsMemory(i)], isServer, maxMessageBytes, inflater?.Invoke()));
        }

        if (input.Length > 1)
        {
            yield return ("byte-per-piece", Run(OneBytePieces(input), isServer, maxMessageBytes, inflater?.Invoke()));
        }
    }

    public static ReadOnlyMemory<byte>[] OneBytePieces(byte[] input)
    {
        var pieces = new ReadOnlyMemory<byte>[input.Length];
        for (var i = 0; i < input.Length; i++)
        {
            pieces[i] = input.AsMemory(i, 1);
        }

        return pieces;
    }

    /// <summary>Runs the loop until the input is used up or the reader reports an error.</summary>
    public static List<ReadEvent> Run(IReadOnlyList<ReadOnlyMemory<byte>> pieces, bool isServer, long maxMessageBytes = 1 << 20, IMessageInflater? inflater = null)
    {
        var reader = new WebSocketReader(isServer, maxMessageBytes) { Inflater = inflater };
        var sink = new ArrayBufferWriter<byte>();
        var events = new List<ReadEvent>();
        var held = new List<ReadOnlyMemory<byte>>();
        foreach (var piece in pieces)
        {
            held.Add(piece);
            var input = SequenceSplits.FromSegments([.. held]);
            while (true)
            {
                var result = reader.Read(input, sink, out var consumed);
                input = input.Slice(consumed);
                if (result == WebSocketReadResult.NeedMoreData)
                {
                    break;
                }

                events.Add(new ReadEvent(
                    result,
                    reader.MessageType,
                    result == WebSocketReadResult.Message ? sink.WrittenSpan.ToArray() : [],
                    reader.ControlPayload.ToArray(),
                    reader.CloseCode,
                    reader.ErrorReason,
                    reader.CloseReason.ToArray()));
                if (result == WebSocketReadResult.Message)
                {
                    sink.ResetWrittenCount();
                }

                if (result == WebSocketReadResult.Error)
                {
                    // A read loop stops here; a further call must keep reporting the error.
                    var again = reader.Read(input, sink, out _);
                    Assert.Equal(WebSocketReadResult.Error, again);
                    return events;
                }
            }

            held.Clear();
            foreach (var segment in input)
            {
                held.Add(segment);
            }
        }

        return events;
    }
}
