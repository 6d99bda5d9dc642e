using System.Runtime.CompilerServices;
using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;

namespace PipeChat.Server.Transport;

/// <summary>
/// The connection's input as a <see cref="PipeReader"/> read straight from the socket, with no
/// pipe in between. While nothing is buffered it waits for data with a zero-byte receive, so an
/// idle connection holds no buffer; received bytes live in pooled segments until consumed. One
/// reader at a time, as for any PipeReader.
/// </summary>
internal sealed class SocketInput(LeanSocketConnection connection) : PipeReader
{
    private const int FirstSegmentSize = 4096;

    /// <summary>
    /// The connection's very first read (the HTTP request, a few hundred bytes) takes a smaller
    /// array: in a connect burst the shared pool runs dry and every handshake in flight rents a
    /// fresh array that is garbage a moment later. A longer request continues in a next segment.
    /// </summary>
    private const int RequestSegmentSize = 1024;
    private const int NextSegmentSize = 16384;
    private const int MinimumFree = 512;

    /// <summary>A receive answered within this time counts as a short wait.</summary>
    private const long ShortWaitMs = 20;

    private BufferSegment? _head;
    private int _headIndex;
    private BufferSegment? _tail;
    private bool _examinedAll = true;
    private bool _endOfStream;
    private int _shortWaits;
    private bool _completed;
    private bool _receivedAny;
    private bool _waited;
    private long _waitStarted;
    private volatile bool _cancelRequested;

    /// <summary>True while received bytes are buffered (an idle connection holds none).</summary>
    internal bool HoldsBuffer => _head is not null;

    /// <summary>
    /// True when the next <see cref="ReadAsync"/> would begin with a zero-byte wait for readability
    /// (nothing buffered, the connection not chatty). The caller can then await <see cref="WaitAsync"/>
    /// first, in its own state machine: an idle connection then holds no receive state machine of
    /// its own (200 bytes each), only the socket's pending zero-byte receive.
    /// </summary>
    internal bool WaitsFirst => _head is null && _shortWaits < 2 && !_endOfStream && !_completed && !_cancelRequested;

    /// <summary>
    /// The zero-byte wait the next <see cref="ReadAsync"/> would do, for the caller to await (see
    /// <see cref="WaitsFirst"/>); that read then receives at once. Socket errors surface raw here
    /// (<see cref="SocketException"/>, <see cref="ObjectDisposedException"/> once aborted).
    /// </summary>
    internal ValueTask<int> WaitAsync()
    {
        _waited = true;
        _waitStarted = Environment.TickCount64;
        return connection.Socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);
    }

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (_cancelRequested)
        {
            _cancelRequested = false;
            return new ValueTask<ReadResult>(new ReadResult(Buffered(), isCanceled: true, _endOfStream));
        }

        if (_endOfStream || (_head is not null && !_examinedAll))
        {
            return new ValueTask<ReadResult>(new ReadResult(Buffered(), isCanceled: false, _endOfStream));
        }

        return ReceiveAsync(cancellationToken);
    }

    public override bool TryRead(out ReadResult result)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (_cancelRequested || _endOfStream || (_head is not null && !_examinedAll))
        {
            var canceled = _cancelRequested;
            _cancelRequested = false;
            result = new ReadResult(Buffered(), canceled, _endOfStream);
            return true;
        }

        result = default;
        return false;
    }

    // Pooled state machines here and on the send path: a read that waits would otherwise allocate
    // a new box per message.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadResult> ReceiveAsync(CancellationToken cancellationToken)
    {
        var socket = connection.Socket;
        var waited = _waited;
        _waited = false;
        var started = waited ? _waitStarted : Environment.TickCount64;
        try
        {
            if (_tail is null || _tail.FreeCount < MinimumFree)
            {
                if (_head is null && _shortWaits < 2 && !waited)
                {
                    // Nothing buffered: wait for readability without holding a buffer. A chatty
                    // connection (data came within ShortWaitMs on its last two reads) receives
                    // straight into a segment instead, one system call fewer per message; it
                    // holds that segment only until its next data, and the first long wait puts
                    // it back on zero-byte waits.
                    await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken);
                }

                var first = _head is null;
                _tail = BufferSegment.Rent(!first ? NextSegmentSize : _receivedAny ? FirstSegmentSize : RequestSegmentSize, _tail);
                if (first)
                {
                    _head = _tail;
                    _headIndex = 0;
                }
            }

            var received = await socket.ReceiveAsync(_tail.FreeMemory, SocketFlags.None, cancellationToken);
            if (received == 0)
            {
                _endOfStream = true;
            }
            else
            {
                _tail.Commit(received);
                _receivedAny = true;
                _examinedAll = false;
                _shortWaits = Environment.TickCount64 - started <= ShortWaitMs ? Math.Min(_shortWaits + 1, 2) : 0;
            }
        }
        catch (SocketException ex)
        {
            throw connection.TranslateError(ex);
        }
        catch (ObjectDisposedException)
        {
            throw connection.TranslateError(null);
        }

        TrimEmptyTail();
        var canceled = _cancelRequested;
        _cancelRequested = false;
        return new ReadResult(Buffered(), canceled, _endOfStream);
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        if (_head is null)
        {
            _examinedAll = true;
            return;
        }

        var consumedSegment = consumed.GetObject() as BufferSegment;
        if (consumedSegment is not null)
        {
            while (_head is not null && !ReferenceEquals(_head, consumedSegment))
            {
                var next = _head.NextSegment;
                _head.Release();
                _head = next;
            }

            if (_head is null)
            {
                throw new InvalidOperationException("AdvanceTo was given a position outside the buffer");
            }

            _headIndex = consumed.GetInteger();
        }

        // Drop segments read to their end.
        while (_head is not null && _headIndex == _head.Length && !ReferenceEquals(_head, _tail))
        {
            var next = _head.NextSegment;
            _head.Release();
            _head = next;
            _headIndex = 0;
        }

        var examinedEnd = examined.GetObject() is BufferSegment examinedSegment
            && ReferenceEquals(examinedSegment, _tail) && examined.GetInteger() == _tail!.Length;
        if (_head is not null && ReferenceEquals(_head, _tail) && _headIndex == _head.Length)
        {
            // Everything consumed: the connection goes back to holding no buffer.
            _head.Release();
            _head = _tail = null;
            _headIndex = 0;
            examinedEnd = true;
        }

        _examinedAll = examinedEnd;
    }

    /// <summary>
    /// Makes the next read return at once as canceled. A receive already waiting on the socket is
    /// not woken (that would need a cancellation token per read); the WebSocket session never
    /// cancels reads, which is why only the WebSocket port runs on this transport (see
    /// <see cref="LeanEndPoint"/>): ASP.NET Core's HTTP stack cancels an idle kept-alive read at shutdown.
    /// </summary>
    public override void CancelPendingRead() => _cancelRequested = true;

    public override void Complete(Exception? exception = null)
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        ReleaseAll();
    }

    private ReadOnlySequence<byte> Buffered()
        => _head is null ? default : new ReadOnlySequence<byte>(_head, _headIndex, _tail!, _tail!.Length);

    /// <summary>A receive that brought nothing into a freshly rented segment leaves it empty: drop it.</summary>
    private void TrimEmptyTail()
    {
        if (_tail is { Length: 0 } && ReferenceEquals(_head, _tail))
        {
            _tail.Release();
            _head = _tail = null;
            _headIndex = 0;
        }
        else if (_tail is { Length: 0 })
        {
            // An empty segment after data: unlink it from its predecessor.
            var previous = _head!;
            while (!ReferenceEquals(previous.NextSegment, _tail))
            {
                previous = previous.NextSegment!;
            }

            previous.Unlink();
            _tail.Release();
            _tail = previous;
        }
    }

    private void ReleaseAll()
    {
        while (_head is not null)
        {
            var next = _head.NextSegment;
            _head.Release();
            _head = next;
        }

        _tail = null;
        _headIndex = 0;
    }
}
