using System.Buffers;

namespace PipeChat.Fuzz;

/// <summary>
/// A sink that offers at most <c>chunk</c> bytes per <see cref="GetSpan"/> (unless a larger hint
/// asks for more), so a reader must resume unmasking and UTF-8 validation across many small
/// spans. Checks that the caller never advances past what it was given.
/// </summary>
public sealed class ChunkedBufferWriter(int chunk) : IBufferWriter<byte>
{
    private byte[] _buffer = new byte[256];
    private int _written;
    private int _offered;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public int WrittenCount => _written;

    public void Clear()
    {
        _written = 0;
        _offered = 0;
    }

    public void Advance(int count)
    {
        FuzzInvariantException.Check(count >= 0 && count <= _offered, $"sink advanced by {count} after offering {_offered}");
        _written += count;
        _offered = 0;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        var length = chunk <= 0 ? Math.Max(sizeHint, 4096) : Math.Max(sizeHint, chunk);
        if (_buffer.Length - _written < length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _written + length));
        }

        _offered = length;
        return _buffer.AsMemory(_written, length);
    }

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
}
