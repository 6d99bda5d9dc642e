using System.Buffers;

namespace PipeChat.Fuzz;

/// <summary>
/// How a target's input arrives: the piece lengths a seed byte chooses, and a
/// <see cref="ReadOnlySequence{T}"/> over the pieces held so far (one segment each).
/// </summary>
public static class InputPieces
{
    /// <summary>
    /// Seed 0: one piece. 255: one byte per piece. Otherwise pseudo-random lengths in
    /// 1..(seed % 64 + 1), so AFL can mutate the split along with the bytes.
    /// </summary>
    public static List<int> Lengths(int total, byte seed)
    {
        var lengths = new List<int>();
        if (seed == 0 || total == 0)
        {
            lengths.Add(total);
            return lengths;
        }

        var max = seed == 255 ? 1 : (seed % 64) + 1;
        var state = (uint)seed * 2654435761u;
        for (var left = total; left > 0;)
        {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            var length = Math.Min(left, 1 + (int)(state % (uint)max));
            lengths.Add(length);
            left -= length;
        }

        return lengths;
    }

    /// <summary>
    /// The pieces that arrived and are not yet consumed, as one sequence: appending a piece and
    /// dropping a consumed prefix are O(1), so one-byte pieces cost linear time like a real pipe.
    /// </summary>
    public sealed class Chain
    {
        private Segment? _first;
        private int _firstIndex;
        private Segment? _last;

        /// <summary>Adds the next piece; returns everything held, from the first unconsumed byte.</summary>
        public ReadOnlySequence<byte> Append(ReadOnlyMemory<byte> piece)
        {
            _last = _last is null ? new Segment(piece, 0) : _last.Append(piece);
            if (_first is null)
            {
                _first = _last;
                _firstIndex = 0;
            }

            return new ReadOnlySequence<byte>(_first, _firstIndex, _last, _last.Memory.Length);
        }

        /// <summary>Keeps only <paramref name="rest"/> (a slice of the last sequence returned).</summary>
        public void Keep(in ReadOnlySequence<byte> rest)
        {
            if (rest.IsEmpty)
            {
                _first = null;
                return;
            }

            _first = (Segment)rest.Start.GetObject()!;
            _firstIndex = rest.Start.GetInteger();
        }
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
