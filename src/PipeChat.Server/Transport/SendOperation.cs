using PipeChat.Server.Buffers;
using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace PipeChat.Server.Transport;

/// <summary>
/// One socket send (a single buffer or a gather list) as an awaitable, pooled across connections,
/// so an idle connection holds no send state at all: a connection rents one only while a send is
/// in flight.
/// </summary>
internal sealed class SendOperation : SocketAsyncEventArgs, IValueTaskSource<int>
{
    private static readonly BoundedPool<SendOperation> s_pool = new(1024);

    private ManualResetValueTaskSourceCore<int> _source;

    private SendOperation()
        : base(unsafeSuppressExecutionContextFlow: true)
    {
    }

    public static SendOperation Rent()
    {
        return s_pool.TryRent(out var operation) ? operation : new SendOperation();
    }

    public void Return()
    {
        SetBuffer(null, 0, 0);
        BufferList = null;
        if (!s_pool.Return(this))
        {
            Dispose();
        }
    }

    /// <summary>Starts the send; the result is the bytes sent (all of them on a stream socket).</summary>
    public ValueTask<int> SendAsync(Socket socket)
    {
        _source.Reset();
        if (socket.SendAsync(this))
        {
            return new ValueTask<int>(this, _source.Version);
        }

        return SocketError == SocketError.Success
            ? new ValueTask<int>(BytesTransferred)
            : ValueTask.FromException<int>(new SocketException((int)SocketError));
    }

    protected override void OnCompleted(SocketAsyncEventArgs e)
    {
        if (SocketError == SocketError.Success)
        {
            _source.SetResult(BytesTransferred);
        }
        else
        {
            _source.SetException(new SocketException((int)SocketError));
        }
    }

    int IValueTaskSource<int>.GetResult(short token) => _source.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _source.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _source.OnCompleted(continuation, state, token, flags);
}
