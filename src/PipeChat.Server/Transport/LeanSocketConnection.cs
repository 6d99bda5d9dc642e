using System.Runtime.CompilerServices;
using System.Collections;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace PipeChat.Server.Transport;

/// <summary>
/// One accepted TCP connection of the lean transport, as Kestrel's <see cref="ConnectionContext"/>.
/// It owns the socket directly: the input is a <see cref="SocketInput"/> that holds no buffer while
/// idle, the output a <see cref="SocketOutput"/> for HTTP responses, and WebSocket frames are sent
/// with <see cref="SendAsync(IList{ArraySegment{byte}})"/> straight from the shared frames, with a
/// pooled send operation (<see cref="IDirectSocketFeature"/>, offered while no middleware replaced
/// the transport). Its feature collection is the object itself, with room for the few features
/// Kestrel sets per connection.
/// </summary>
internal sealed class LeanSocketConnection : ConnectionContext, IDuplexPipe, IFeatureCollection, IConnectionSocketFeature, IDirectSocketFeature
{
    private static long s_lastId;

    private readonly long _id;
    private readonly SocketInput _input;
    private readonly SocketOutput _output;
    private string? _connectionId;
    private IDictionary<object, object?>? _items;
    private KeyValuePair<Type, object>[]? _features;
    private int _featureCount;
    private int _featureRevision;
    private CancellationTokenSource? _closed;
    private int _state; // 0 open, 1 aborted, 2 disposed
    private IDuplexPipe? _transport;

    public LeanSocketConnection(Socket socket)
    {
        Socket = socket;
        _id = Interlocked.Increment(ref s_lastId);
        _input = new SocketInput(this);
        _output = new SocketOutput(this);
    }

    public Socket Socket { get; }

    /// <summary>The input (the connection's own, whatever <see cref="Transport"/> is set to).</summary>
    internal SocketInput Input => _input;

    /// <summary>The output the HTTP answers are written to (the upgrade response's bytes until the writer sends them).</summary>
    internal SocketOutput Output => _output;

    /// <summary>True once aborted or disposed.</summary>
    public bool IsClosed => Volatile.Read(ref _state) != 0;

    /// <summary>True while <see cref="Transport"/> is still this connection's own socket pipe (no TLS or other middleware in between).</summary>
    public bool OwnsTransport => _transport is null || ReferenceEquals(_transport, this);

    public override string ConnectionId
    {
        get => _connectionId ??= "pc-" + _id.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        set => _connectionId = value;
    }

    public override IFeatureCollection Features => this;

    public override IDictionary<object, object?> Items
    {
        get => _items ??= new Dictionary<object, object?>();
        set => _items = value;
    }

    public override IDuplexPipe Transport
    {
        get => _transport ?? this;
        set => _transport = value;
    }

    public override EndPoint? LocalEndPoint
    {
        get => base.LocalEndPoint ??= TryGet(static s => s.LocalEndPoint);
        set => base.LocalEndPoint = value;
    }

    public override EndPoint? RemoteEndPoint
    {
        get => base.RemoteEndPoint ??= TryGet(static s => s.RemoteEndPoint);
        set => base.RemoteEndPoint = value;
    }

    public override CancellationToken ConnectionClosed
    {
        get
        {
            if (_closed is null)
            {
                var source = new CancellationTokenSource();
                if (Interlocked.CompareExchange(ref _closed, source, null) is not null)
                {
                    source.Dispose();
                }
                else if (IsClosed)
                {
                    source.Cancel();
                }
            }

            return _closed!.Token;
        }

        set => throw new NotSupportedException("ConnectionClosed is owned by the transport");
    }

    PipeReader IDuplexPipe.Input => _input;

    PipeWriter IDuplexPipe.Output => _output;

    bool IDirectSocketFeature.WaitsFirst => _input.WaitsFirst;

    ValueTask<int> IDirectSocketFeature.WaitAsync() => _input.WaitAsync();

    ArraySegment<byte> IDirectSocketFeature.UnflushedOutput => _output.Unflushed;

    void IDirectSocketFeature.DiscardUnflushedOutput() => _output.DiscardUnflushed();

    /// <summary>Sends one buffer completely.</summary>
    public ValueTask SendAsync(ReadOnlyMemory<byte> buffer)
    {
        var operation = SendOperation.Rent();
        operation.SetBuffer(System.Runtime.InteropServices.MemoryMarshal.AsMemory(buffer));
        return SendAsync(operation, buffer.Length);
    }

    /// <summary>Sends several buffers with one gather send (sendmsg); the list is not kept.</summary>
    public ValueTask SendAsync(IList<ArraySegment<byte>> buffers, int totalBytes)
    {
        var operation = SendOperation.Rent();
        operation.BufferList = buffers;
        return SendAsync(operation, totalBytes);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendAsync(SendOperation operation, int totalBytes)
    {
        try
        {
            var sent = await operation.SendAsync(Socket);
            if (sent != totalBytes)
            {
                throw new ConnectionResetException($"short send ({sent} of {totalBytes} bytes)");
            }
        }
        catch (SocketException ex)
        {
            throw TranslateError(ex);
        }
        catch (ObjectDisposedException)
        {
            throw TranslateError(null);
        }
        finally
        {
            operation.Return();
        }
    }

    /// <summary>The exception Kestrel's transports raise for a failed socket call.</summary>
    public Exception TranslateError(SocketException? error)
    {
        if (IsClosed || error is null || error.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted)
        {
            return new ConnectionAbortedException("the connection was aborted", (Exception?)error ?? new ObjectDisposedException(nameof(Socket)));
        }

        return new ConnectionResetException(error.Message, error);
    }

    public override void Abort(ConnectionAbortedException abortReason)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            return;
        }

        // Closing the socket ends a pending receive or send with OperationAborted.
        Socket.Dispose();
        CancelClosed();
    }

    public override ValueTask DisposeAsync()
    {
        var previous = Interlocked.Exchange(ref _state, 2);
        if (previous == 2)
        {
            return ValueTask.CompletedTask;
        }

        _input.Complete();
        _output.Complete();
        if (previous == 0)
        {
            try
            {
                Socket.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
            }
            catch (ObjectDisposedException)
            {
            }

            Socket.Dispose();
        }

        CancelClosed();
        _closed?.Dispose();
        return ValueTask.CompletedTask;
    }

    private void CancelClosed()
    {
        if (Volatile.Read(ref _closed) is { } closed)
        {
            // Off the caller's thread: handlers registered on ConnectionClosed may do real work.
            ThreadPool.UnsafeQueueUserWorkItem(static source =>
            {
                try
                {
                    source.Cancel();
                }
                catch (ObjectDisposedException)
                {
                }
            }, closed, preferLocal: false);
        }
    }

    private EndPoint? TryGet(Func<Socket, EndPoint?> read)
    {
        try
        {
            return read(Socket);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return null;
        }
    }

    // IFeatureCollection: the connection answers the transport features itself and keeps the
    // few that Kestrel sets (heartbeat, completion, lifetime, metrics) in a small array.
    bool IFeatureCollection.IsReadOnly => false;

    int IFeatureCollection.Revision => _featureRevision;

    object? IFeatureCollection.this[Type key]
    {
        get
        {
            if (key == typeof(IConnectionSocketFeature))
            {
                return this;
            }

            if (key == typeof(IDirectSocketFeature))
            {
                // Only while the handler talks to the socket itself: behind TLS the frames must go through the pipes.
                return OwnsTransport ? this : null;
            }

            var features = _features;
            for (var i = 0; i < _featureCount; i++)
            {
                if (features![i].Key == key)
                {
                    return features[i].Value;
                }
            }

            return null;
        }

        set
        {
            _featureRevision++;
            var features = _features;
            for (var i = 0; i < _featureCount; i++)
            {
                if (features![i].Key == key)
                {
                    if (value is null)
                    {
                        features[i] = features[_featureCount - 1];
                        features[--_featureCount] = default;
                    }
                    else
                    {
                        features[i] = new KeyValuePair<Type, object>(key, value);
                    }

                    return;
                }
            }

            if (value is null)
            {
                return;
            }

            if (features is null || _featureCount == features.Length)
            {
                Array.Resize(ref _features, Math.Max(4, _featureCount * 2));
            }

            _features![_featureCount++] = new KeyValuePair<Type, object>(key, value);
        }
    }

    TFeature? IFeatureCollection.Get<TFeature>() where TFeature : default
        => (TFeature?)((IFeatureCollection)this)[typeof(TFeature)];

    void IFeatureCollection.Set<TFeature>(TFeature? instance) where TFeature : default
        => ((IFeatureCollection)this)[typeof(TFeature)] = instance;

    IEnumerator<KeyValuePair<Type, object>> IEnumerable<KeyValuePair<Type, object>>.GetEnumerator()
    {
        yield return new KeyValuePair<Type, object>(typeof(IConnectionSocketFeature), this);
        if (OwnsTransport)
        {
            yield return new KeyValuePair<Type, object>(typeof(IDirectSocketFeature), this);
        }

        for (var i = 0; i < _featureCount; i++)
        {
            yield return _features![i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable<KeyValuePair<Type, object>>)this).GetEnumerator();
}
