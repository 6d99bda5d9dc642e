using Microsoft.AspNetCore.Connections;
using PipeChat.Protocol.Framing;
using PipeChat.Protocol.Handshake;

namespace PipeChat.Server.Connections;

/// <summary>What runs on top of a WebSocket session: the chat protocol or the echo endpoint.</summary>
internal interface IWebSocketApplication
{
    /// <summary>
    /// Decides at handshake time whether the request may upgrade. On success gives the user id;
    /// otherwise the HTTP error to answer with (400 bad id, 401 auth, 403 origin, ...).
    /// </summary>
    bool TryAccept(in HandshakeRequest request, ConnectionContext connection, out string userId, out HandshakeError error);

    /// <summary>Called once after the 101 response is written.</summary>
    void OnOpen(WebSocketSession session);

    /// <summary>A complete data message. The payload is valid only during the call.</summary>
    void OnMessage(WebSocketSession session, WebSocketOpcode type, ReadOnlySpan<byte> payload);

    /// <summary>Called once when the session ends (after OnOpen), whatever the cause.</summary>
    void OnClose(WebSocketSession session);
}
