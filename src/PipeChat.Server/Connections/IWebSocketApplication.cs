using Microsoft.AspNetCore.Connections;
using PipeChat.Protocol.Framing;
using PipeChat.Protocol.Handshake;

namespace PipeChat.Server.Connections;

/// <summary>The outcome of the synchronous part of accepting an upgrade.</summary>
/// <param name="UserId">The user id when the request is accepted outright.</param>
/// <param name="Token">When <paramref name="UserId"/> is null: the credential to check asynchronously (may be empty).</param>
internal readonly record struct AcceptDecision(string? UserId, string? Token);

/// <summary>What runs on top of a WebSocket session: the chat protocol or the echo endpoint.</summary>
internal interface IWebSocketApplication
{
    /// <summary>
    /// Decides at handshake time whether the request may upgrade: accepts with a user id,
    /// defers to <see cref="CompleteAcceptAsync"/> with a token, or refuses with the HTTP error
    /// (400 bad id, 401 auth, 403 origin, ...).
    /// </summary>
    bool TryAccept(in HandshakeRequest request, ConnectionContext connection, out AcceptDecision decision, out HandshakeError error);

    /// <summary>
    /// Validates a deferred credential; returns the user id (and the connection's first
    /// <see cref="IWebSocketConnection.ApplicationState"/>, e.g. what the credential grants), or null and the error.
    /// </summary>
    ValueTask<(string? UserId, HandshakeError Error, object? State)> CompleteAcceptAsync(AcceptDecision decision);

    /// <summary>Called once after the 101 response is written.</summary>
    void OnOpen(IWebSocketConnection connection);

    /// <summary>A complete data message. The payload is valid only during the call.</summary>
    void OnMessage(IWebSocketConnection connection, WebSocketOpcode type, ReadOnlySpan<byte> payload);

    /// <summary>Called once when the session ends (after OnOpen), whatever the cause.</summary>
    void OnClose(IWebSocketConnection connection);
}
