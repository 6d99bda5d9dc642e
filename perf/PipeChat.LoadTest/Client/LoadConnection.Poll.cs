namespace PipeChat.LoadTest.Client;

/// <summary>The receive side of a connection read by <see cref="PollReceiver"/> (<c>--receive poll</c>).</summary>
internal sealed partial class LoadConnection
{
    private IConnectionHandler? _pollHandler;
    private TaskCompletionSource? _pollDone;
    private string? _pollDropped;
    private bool _pollHandleHeld;

    private volatile int _pollSlot = -1;

    /// <summary>The receiver's slot for this connection, -1 when not (or no longer) polled; written by the receiver after <see cref="PollReceiver.Add"/>.</summary>
    internal int PollSlot
    {
        get => _pollSlot;
        set => _pollSlot = value;
    }

    /// <summary>The socket's descriptor, kept open by a handle reference while polled.</summary>
    internal int PollFd { get; private set; } = -1;

    private Task StartPolling(IConnectionHandler handler)
    {
        _pollHandler = handler;
        _pollDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            // Frames that arrived with the upgrade response, before the receiver owns the socket.
            if (!HandleReceived())
            {
                FinishPolling();
                return _pollDone.Task;
            }

            var handle = _socket.SafeHandle;
            handle.DangerousAddRef(ref _pollHandleHeld);
            PollFd = (int)handle.DangerousGetHandle();
            PollReceiver.Shared.Add(this);
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
        {
            _pollDropped ??= _closing ? null : "closed:" + e.GetType().Name;
            FinishPolling();
        }

        return _pollDone.Task;
    }

    /// <summary>Receiver thread: the socket is readable. Reads once and handles every whole frame; false when the connection is done.</summary>
    internal bool OnPollReadable()
    {
        MakeRoomToReceive();

        var read = PollReceiver.Receive(PollFd, _recv.AsSpan(_end, _recvLimit - _end));
        if (read == -PollReceiver.EAgain)
        {
            return true;
        }

        if (read <= 0)
        {
            _pollDropped = _closing ? null : read == 0 ? "closed:eof" : "closed:errno_" + (-read).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return false;
        }

        _end += read;
        try
        {
            return HandleReceived();
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            _pollDropped = _closing ? null : "closed:" + (e.InnerException is System.Net.Sockets.SocketException se ? se.SocketErrorCode.ToString() : e.GetType().Name);
            return false;
        }
    }

    /// <summary>Receiver thread: the connection left the receiver's set.</summary>
    internal void OnPollDropped() => FinishPolling();

    /// <summary>Parses the buffered frames and sends what they call for (blocking sends); false when the connection is done.</summary>
    private bool HandleReceived()
    {
        var (pending, done) = Process(_pollHandler!, out var dropped);
        if (done)
        {
            _pollDropped = dropped;
            return false;
        }

        if (pending > 0)
        {
            // Blocking writes complete the task before it returns, unless another sender holds the lock for a moment.
            Complete(_pollHandler!.SendPendingAsync(this, pending));
        }

        if (_pendingControl is { } control)
        {
            _pendingControl = null;
            Complete(SendControlAsync(control));
        }

        return true;
    }

    /// <summary>Waits for a send on the receiver thread; blocking sends have usually finished it already.</summary>
    private static void Complete(ValueTask send)
    {
        if (send.IsCompletedSuccessfully)
        {
            return;
        }

        send.AsTask().GetAwaiter().GetResult();
    }

    private void FinishPolling()
    {
        if (_pollHandleHeld)
        {
            _pollHandleHeld = false;
            _socket.SafeHandle.DangerousRelease();
        }

        if (_pollDropped is { } kind && !_closing)
        {
            _closing = true;
            _pollHandler!.OnDropped(this, kind);
        }

        _closing = true;
        Abort();
        _pollDone!.TrySetResult();
    }
}
