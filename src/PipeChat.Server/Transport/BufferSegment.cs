using System.Buffers;
using PipeChat.Server.Buffers;

namespace PipeChat.Server.Transport;

/// <summary>A pooled array in a chain of received bytes (one <see cref="ReadOnlySequence{T}"/> segment).</summary>
internal sealed class BufferSegment : ReadOnlySequenceSegment<byte>
{
    private static readonly BoundedPool<BufferSegment> s_pool = new(4096);

    private byte[] _array = [];

    /// <summary>Bytes received into this segment.</summary>
    public int Length { get; private set; }

    public Memory<byte> FreeMemory => _array.AsMemory(Length);

    public int FreeCount => _array.Length - Length;

    public static BufferSegment Rent(int size, BufferSegment? previous)
    {
        if (!s_pool.TryRent(out var segment))
        {
            segment = new BufferSegment();
        }

        segment._array = ArrayPool<byte>.Shared.Rent(size);
        segment.Length = 0;
        segment.Memory = default;
        segment.Next = null;
        if (previous is null)
        {
            segment.RunningIndex = 0;
        }
        else
        {
            segment.RunningIndex = previous.RunningIndex + previous.Length;
            previous.Next = segment;
        }

        return segment;
    }

    public void Commit(int count)
    {
        Length += count;
        Memory = _array.AsMemory(0, Length);
    }

    public BufferSegment? NextSegment => (BufferSegment?)Next;

    /// <summary>Makes this segment the end of its chain.</summary>
    public void Unlink() => Next = null;

    /// <summary>Gives the array back and the segment to the pool.</summary>
    public void Release()
    {
        var array = _array;
        _array = [];
        Memory = default;
        Next = null;
        Length = 0;
        ArrayPool<byte>.Shared.Return(array);
        s_pool.Return(this);
    }
}
