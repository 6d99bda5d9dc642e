using Microsoft.AspNetCore.Connections;
using PipeChat.Protocol.Framing;
using PipeChat.Protocol.Handshake;
using PipeChat.Server.Buffers;

namespace PipeChat.Server.Connections;

/// <summary>Echoes every message back as it came (text as text, binary as binary); sends nothing else.</summary>
internal sealed class EchoApplication : IWebSocketApplication
{
    public bool TryAccept(in HandshakeRequest request, ConnectionContext connection, out AcceptDecision decision, out HandshakeError error)
    {
        decision = new AcceptDecision("echo", null);
        error = default;
        return true;
    }

    public ValueTask<(string? UserId, HandshakeError Error, object? State)> CompleteAcceptAsync(AcceptDecision decision)
        => ValueTask.FromResult<(string?, HandshakeError, object?)>(("echo", default, null));

    public void OnOpen(IWebSocketConnection session)
    {
    }

    public void OnMessage(IWebSocketConnection session, WebSocketOpcode type, ReadOnlySpan<byte> payload)
    {
        var frame = SharedFrame.Create(type, payload);
        session.TrySend(frame);
        frame.Release();
    }

    public void OnClose(IWebSocketConnection session)
    {
    }
}
