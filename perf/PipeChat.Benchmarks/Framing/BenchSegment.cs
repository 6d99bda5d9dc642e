using System.Buffers;

namespace PipeChat.Benchmarks.Framing;

/// <summary>Builds a two-segment sequence for multi-segment benchmarks.</summary>
internal sealed class BenchSegment : ReadOnlySequenceSegment<byte>
{
    private BenchSegment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public static ReadOnlySequence<byte> Split(byte[] data, int at)
    {
        var first = new BenchSegment(data.AsMemory(0, at), 0);
        var second = new BenchSegment(data.AsMemory(at), at);
        first.Next = second;
        return new ReadOnlySequence<byte>(first, 0, second, second.Memory.Length);
    }
}
