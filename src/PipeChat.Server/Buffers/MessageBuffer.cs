using System.Buffers;

namespace PipeChat.Server.Buffers;

/// <summary>
/// Contiguous, pooled assembly buffer for one incoming message. It holds an array only while a
/// message is being assembled: <see cref="Reset"/> returns it, so idle connections hold none.
/// </summary>
internal sealed class MessageBuffer : IBufferWriter<byte>
{
    private const int MinimumSize = 512;
    private byte[]? _buffer;
    private int _written;

    public ReadOnlySpan<byte> WrittenSpan => _buffer is null ? default : _buffer.AsSpan(0, _written);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer is null ? default : _buffer.AsMemory(0, _written);

    public int WrittenCount => _written;

    /// <summary>The written bytes as a segment of the pooled array (valid until the next write or <see cref="Reset"/>).</summary>
    public ArraySegment<byte> WrittenSegment => _buffer is null ? default : new ArraySegment<byte>(_buffer, 0, _written);

    /// <summary>Room left in the current array (0 when none is held).</summary>
    public int FreeCapacity => _buffer is null ? 0 : _buffer.Length - _written;

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>Forgets the content and gives the array back to the pool.</summary>
    public void Reset()
    {
        _written = 0;
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Ensure(int sizeHint)
    {
        var needed = _written + Math.Max(sizeHint, 1);
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(needed, MinimumSize));
            return;
        }

        if (needed <= _buffer.Length)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
        _buffer.AsSpan(0, _written).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
