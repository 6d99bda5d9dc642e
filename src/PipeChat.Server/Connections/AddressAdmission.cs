using System.Net;
using Microsoft.AspNetCore.Connections;
using PipeChat.Server.Diagnostics;

namespace PipeChat.Server.Connections;

/// <summary>
/// The per-address connection limit (<c>--max-connections-per-ip</c>): a connection is counted
/// against its remote address on arrival and uncounted when it ends. A value the session holds
/// for its lifetime; default when the connection has no IP address (an in-memory test connection).
/// </summary>
internal readonly struct AddressAdmission
{
    private readonly IPAddress? _address;

    private AddressAdmission(IPAddress address) => _address = address;

    /// <summary>Counts the connection; false (logged, counted as refused, not admitted) when its address is at the limit.</summary>
    public static bool TryAdmit(ConnectionContext connection, ServerContext server, out AddressAdmission admission)
    {
        admission = default;
        var address = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        if (address is null)
        {
            return true;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (!server.Sessions.TryAddAddress(address, server.Options.MaxConnectionsPerIp))
        {
            // A flood from one address: dropped at once, before anything is read.
            server.Metrics.HandshakeRefused();
            Log.TooManyFromAddress(server.Logger, connection.ConnectionId, address.ToString());
            return false;
        }

        admission = new AddressAdmission(address);
        return true;
    }

    /// <summary>Uncounts the connection (at its end).</summary>
    public void Release(SessionRegistry sessions)
    {
        if (_address is not null)
        {
            sessions.RemoveAddress(_address);
        }
    }
}
