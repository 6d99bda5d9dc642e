using Microsoft.AspNetCore.Connections;
using PipeChat.Protocol.Framing;
using PipeChat.Protocol.Handshake;
using PipeChat.Server.Connections;

namespace PipeChat.Server.Chat;

/// <summary>The chat protocol (docs/protocol.md) on top of WebSocket sessions.</summary>
internal sealed class ChatApplication : IWebSocketApplication
{
    public (string Name, string Help, long Value)[] Gauges() => [];

    public bool TryAccept(in HandshakeRequest request, ConnectionContext connection, out string userId, out HandshakeError error)
    {
        userId = System.Text.Encoding.UTF8.GetString(request.Path[1..]);
        error = default;
        return true;
    }

    public void OnOpen(WebSocketSession session)
    {
    }

    public void OnMessage(WebSocketSession session, WebSocketOpcode type, ReadOnlySpan<byte> payload)
    {
    }

    public void OnClose(WebSocketSession session)
    {
    }
}
