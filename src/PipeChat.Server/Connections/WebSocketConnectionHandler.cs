using Microsoft.AspNetCore.Connections;

namespace PipeChat.Server.Connections;

/// <summary>Kestrel hands every accepted TCP (or TLS) connection to this handler.</summary>
internal sealed class WebSocketConnectionHandler(ServerContext server) : ConnectionHandler
{
    public override Task OnConnectedAsync(ConnectionContext connection) => new WebSocketSession(connection, server).RunAsync();
}
