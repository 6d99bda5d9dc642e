using System.Net;
using Microsoft.AspNetCore.Connections;
using PipeChat.Protocol.Handshake;
using PipeChat.Server.Diagnostics;

namespace PipeChat.Server.Connections;

/// <summary>
/// The per-address connection limit (<c>--max-connections-per-ip</c>): a connection is counted
/// against its client address and uncounted when it ends. A connection from anyone else is
/// counted against its remote address on arrival, before anything is read. A connection from a
/// trusted proxy (<c>--trusted-proxies</c>) is counted once its request head is parsed, against
/// the address the proxy forwarded (<see cref="ForwardedClient"/>). A value the session holds for
/// its lifetime; default while not counted (a trusted proxy's connection before its request, an
/// in-memory test connection).
/// </summary>
internal struct AddressAdmission
{
    private IPAddress? _address;

    /// <summary>The client address the connection is counted against; null while not counted.</summary>
    public readonly IPAddress? Address => _address;

    /// <summary>
    /// On arrival: counts the connection against its remote address, unless that is a trusted
    /// proxy (counted later, <see cref="TryAdmitForwarded"/>); false (logged, counted as refused,
    /// not admitted) when the address is at the limit.
    /// </summary>
    public bool TryAdmit(ConnectionContext connection, ServerContext server)
    {
        var address = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        if (address is null || (!server.TrustedProxies.IsEmpty && server.TrustedProxies.Contains(address)))
        {
            return true;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return TryCount(connection, server, address);
    }

    /// <summary>
    /// After the request head of a connection not counted on arrival: a trusted proxy's connection
    /// is counted against the forwarded client address (X-Forwarded-For, else X-Real-IP; the
    /// proxy's own address when neither parses, logged at Debug). False when that address is at the limit.
    /// </summary>
    public bool TryAdmitForwarded(in HandshakeRequest request, ConnectionContext connection, ServerContext server)
    {
        if (_address is not null || (connection.RemoteEndPoint as IPEndPoint)?.Address is not { } peer)
        {
            return true;
        }

        IPAddress? client;
        if (request.TryGetHeader("x-forwarded-for"u8, out var forwardedFor))
        {
            // One line is read: a second one (not what nginx sends) makes the value unusable.
            client = request.CountHeader("x-forwarded-for"u8) == 1 ? ForwardedClient.FromForwardedFor(forwardedFor, server.TrustedProxies) : null;
        }
        else if (request.TryGetHeader("x-real-ip"u8, out var realIp))
        {
            client = ForwardedClient.FromRealIp(realIp);
        }
        else
        {
            client = peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer; // the proxy's own request (a health check)
        }

        if (client is null)
        {
            client = peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer;
            Log.ForwardedAddressUnusable(server.Logger, connection.ConnectionId, client);
        }

        return TryCount(connection, server, client);
    }

    /// <summary>Uncounts the connection (at its end).</summary>
    public readonly void Release(SessionRegistry sessions)
    {
        if (_address is not null)
        {
            sessions.RemoveAddress(_address);
        }
    }

    private bool TryCount(ConnectionContext connection, ServerContext server, IPAddress address)
    {
        if (!server.Sessions.TryAddAddress(address, server.Options.MaxConnectionsPerIp))
        {
            // A flood from one address: dropped at once.
            server.Metrics.HandshakeRefused();
            Log.TooManyFromAddress(server.Logger, connection.ConnectionId, address);
            return false;
        }

        _address = address;
        return true;
    }
}
