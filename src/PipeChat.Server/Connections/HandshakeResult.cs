namespace PipeChat.Server.Connections;

/// <summary>How an opening handshake ended: upgraded (an application, the user, the deflate window) or not.</summary>
/// <param name="Application">The application the connection runs, or null when the request was answered or refused.</param>
/// <param name="UserId">The accepted user id ("" when not upgraded).</param>
/// <param name="DeflateWindowBits">The largest permessage-deflate window the peer accepts from us; 0 when not negotiated.</param>
/// <param name="State">The application's first state for the connection (from <see cref="IWebSocketApplication.CompleteAcceptAsync"/>).</param>
internal readonly record struct HandshakeResult(IWebSocketApplication? Application, string UserId, int DeflateWindowBits, object? State = null)
{
    public static HandshakeResult NotUpgraded => new(null, "", 0);

    public bool Upgraded => Application is not null;
}
