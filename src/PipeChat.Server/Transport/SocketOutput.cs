using System.IO.Pipelines;
using PipeChat.Server.Buffers;

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
    private readonly MessageBuffer _buffer = new();
    private bool _completed;

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes => _buffer.WrittenCount;

    public override void Advance(int bytes)
    {
        if ((uint)bytes > (uint)_buffer.FreeCapacity)
        {
            throw new ArgumentOutOfRangeException(nameof(bytes));
        }

        _buffer.Advance(bytes);
    }

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        return _buffer.GetMemory(sizeHint);
    }

    public override Span<byte> GetSpan(int sizeHint = 0)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        return _buffer.GetSpan(sizeHint);
    }

    /// <summary>
    /// The bytes written and not flushed, for a gather send that carries them ahead of the first
    /// frames (the upgrade response with the welcome): the caller sends them, then calls
    /// <see cref="DiscardUnflushed"/>. Nothing may be written in between.
    /// </summary>
    internal ArraySegment<byte> Unflushed => _buffer.WrittenSegment;

    /// <summary>Drops the bytes taken with <see cref="Unflushed"/> once they are sent.</summary>
    internal void DiscardUnflushed() => _buffer.Reset();

    public override void CancelPendingFlush()
    {
        // Sends cannot be cancelled midway; an aborted connection ends them.
    }

    public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (_buffer.WrittenCount == 0)
        {
            return new FlushResult(isCanceled: false, isCompleted: connection.IsClosed);
        }

        try
        {
            await connection.SendAsync(_buffer.WrittenMemory);
        }
        finally
        {
            _buffer.Reset();
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
        _buffer.Reset();
    }
}
