using System.Buffers;
using System.IO.Pipelines;

namespace PipeChat.Server.Transport;

/// <summary>
/// The connection's output as a <see cref="PipeWriter"/>: bytes written are collected in one
/// pooled buffer and <see cref="FlushAsync"/> sends them and returns once the socket has taken
/// them all (so a flushed HTTP response is on the wire before any frame sent directly with
/// <see cref="LeanSocketConnection.SendAsync(ReadOnlyMemory{byte})"/>). Used for the upgrade
/// response and plain HTTP answers; WebSocket frames bypass it.
/// </summary>
internal sealed class SocketOutput(LeanSocketConnection connection) : PipeWriter
{
    private const int MinimumSize = 1024;
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
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public override Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

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

        var buffer = _buffer!;
        var length = _written;
        _buffer = null;
        _written = 0;
        try
        {
            await connection.SendAsync(buffer.AsMemory(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
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
        if (_buffer is { } buffer)
        {
            _buffer = null;
            _written = 0;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Ensure(int sizeHint)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
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
