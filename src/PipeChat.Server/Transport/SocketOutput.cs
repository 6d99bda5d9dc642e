using System.Buffers;
using System.IO.Pipelines;

namespace PipeChat.Server.Transport;

/// <summary>
/// The connection's output as a <see cref="PipeWriter"/>: bytes written are collected in one
/// pooled buffer and <see cref="FlushAsync"/> sends them and returns once the socket has taken
/// them all (so a flushed HTTP response is on the wire before any frame sent directly with
/// <see cref="LeanSocketConnection.SendAsync(ReadOnlyMemory{byte})"/>). Used for the upgrade
/// response and plain HTTP answers; WebSocket frames bypass it. The pooled array is held only
/// between the first write and the send, in fields of this object (no buffer object per connection).
/// </summary>
internal sealed class SocketOutput(LeanSocketConnection connection) : PipeWriter
{
    private const int MinimumSize = 512;

    private byte[]? _buffer;
    private int _written;
    private bool _completed;

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes => _written;

    public override void Advance(int bytes)
    {
        if ((uint)bytes > (uint)((_buffer?.Length ?? 0) - _written))
        {
            throw new ArgumentOutOfRangeException(nameof(bytes));
        }

        _written += bytes;
    }

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        return Ensure(sizeHint).AsMemory(_written);
    }

    public override Span<byte> GetSpan(int sizeHint = 0)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        return Ensure(sizeHint).AsSpan(_written);
    }

    /// <summary>
    /// The bytes written and not flushed, for a gather send that carries them ahead of the first
    /// frames (the upgrade response with the welcome): the caller sends them, then calls
    /// <see cref="DiscardUnflushed"/>. Nothing may be written in between.
    /// </summary>
    internal ArraySegment<byte> Unflushed => _buffer is null ? default : new ArraySegment<byte>(_buffer, 0, _written);

    /// <summary>Drops the bytes taken with <see cref="Unflushed"/> once they are sent.</summary>
    internal void DiscardUnflushed() => Reset();

    public override void CancelPendingFlush()
    {
        // Sends cannot be cancelled midway; an aborted connection ends them.
    }

    public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (_written == 0)
        {
            return new FlushResult(isCanceled: false, isCompleted: connection.IsClosed);
        }

        try
        {
            await connection.SendAsync(_buffer.AsMemory(0, _written));
        }
        finally
        {
            Reset();
        }

        return new FlushResult(isCanceled: false, isCompleted: false);
    }

    public override void Complete(Exception? exception = null)
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        Reset();
    }

    /// <summary>Forgets the written bytes and gives the array back to the pool.</summary>
    private void Reset()
    {
        _written = 0;
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The array, with room for at least <paramref name="sizeHint"/> (1 when 0) more bytes.</summary>
    private byte[] Ensure(int sizeHint)
    {
        var needed = _written + Math.Max(sizeHint, 1);
        if (_buffer is null)
        {
            return _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(needed, MinimumSize));
        }

        if (needed > _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
            _buffer.AsSpan(0, _written).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        return _buffer;
    }
}
