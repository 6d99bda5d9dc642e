using System.Buffers;

namespace PipeChat.Protocol.Tests.Support;

/// <summary>
/// Builds the three shapes every parser test feeds: the input whole, split in two at every
/// offset, and one byte per segment.
/// </summary>
public static class SequenceSplits
{
    /// <summary>The input as one segment, then every two-way split, then one byte per segment.</summary>
    public static IEnumerable<(string Shape, ReadOnlySequence<byte> Sequence)> All(byte[] input)
    {
        yield return ("whole", new ReadOnlySequence<byte>(input));
        for (var i = 1; i < input.Length; i++)
        {
            yield return ($"split@{i}", FromSegments(input.AsMemory(0, i), input.AsMemory(i)));
        }

        if (input.Length > 1)
        {
            yield return ("byte-per-segment", OneBytePerSegment(input));
        }
    }

    /// <summary>One segment per byte.</summary>
    public static ReadOnlySequence<byte> OneBytePerSegment(byte[] input)
    {
        var parts = new ReadOnlyMemory<byte>[input.Length];
        for (var i = 0; i < input.Length; i++)
        {
            parts[i] = input.AsMemory(i, 1);
        }

        return FromSegments(parts);
    }

    /// <summary>A sequence made of the given segments, in order (empty segments allowed).</summary>
    public static ReadOnlySequence<byte> FromSegments(params ReadOnlyMemory<byte>[] parts)
    {
        if (parts.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(parts[0], 0);
        var last = first;
        for (var i = 1; i < parts.Length; i++)
        {
            last = last.Append(parts[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
