using System.Net;
using Microsoft.AspNetCore.Connections;

namespace PipeChat.Server.Transport;

/// <summary>
/// PipeChat's own Kestrel transport for the endpoints marked <see cref="LeanEndPoint"/> (the
/// WebSocket port without TLS; every other listener keeps Kestrel's sockets transport): Kestrel still accepts, dispatches and tracks connections and runs our
/// connection handler, but each connection is a lean <see cref="LeanSocketConnection"/>.
/// </summary>
internal sealed class LeanSocketTransportFactory(int backlog) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    public bool CanBind(EndPoint endpoint) => endpoint is LeanEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is not IPEndPoint ip)
        {
            throw new NotSupportedException($"the lean transport binds IP endpoints only, not {endpoint.GetType().Name}");
        }

        return ValueTask.FromResult<IConnectionListener>(LeanSocketListener.Bind(ip, backlog));
    }
}
