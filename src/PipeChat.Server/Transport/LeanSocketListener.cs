using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace PipeChat.Server.Transport;

/// <summary>Listens on one endpoint and hands Kestrel a <see cref="LeanSocketConnection"/> per accepted socket.</summary>
internal sealed class LeanSocketListener : IConnectionListener
{
    private readonly Socket _socket;

    private LeanSocketListener(Socket socket)
    {
        _socket = socket;
        EndPoint = socket.LocalEndPoint!;
    }

    public EndPoint EndPoint { get; }

    public static LeanSocketListener Bind(IPEndPoint endpoint, int backlog)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(endpoint);
            socket.Listen(backlog);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            socket.Dispose();
            throw new AddressInUseException(ex.Message, ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new LeanSocketListener(socket);
    }

    // Pooled: Kestrel's accept loop awaits one accept at a time, so one state machine serves every
    // accept that has to wait instead of a new one per connection.
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            try
            {
                var accepted = await _socket.AcceptAsync(cancellationToken);
                accepted.NoDelay = true;
                return new LeanSocketConnection(accepted);
            }
            catch (ObjectDisposedException)
            {
                return null; // unbound
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.OperationAborted)
            {
                return null; // unbound
            }
            catch (SocketException)
            {
                // The peer gave up before we accepted it (reset): take the next one.
            }
        }
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
