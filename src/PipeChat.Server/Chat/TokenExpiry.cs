using PipeChat.Protocol.Chat;
using PipeChat.Server.Connections;

namespace PipeChat.Server.Chat;

/// <summary>
/// A connection whose token expires unrefreshed is closed with 4001 "token expired" by the
/// session heartbeat (no timer per connection): the deadline is the token's exp by this server's
/// clock (the handshake's clock skew applies only to accepting a token).
/// </summary>
internal static class TokenExpiry
{
    private static readonly ScheduledClose s_expired = new(ChatCloseCodes.TokenExpired, "token expired");

    /// <summary>Sets (or moves) the connection's deadline to <paramref name="expiresAt"/> (unix seconds; 0: none).</summary>
    public static void Schedule(IWebSocketConnection session, long expiresAt)
    {
        if (expiresAt == 0)
        {
            session.CloseAt(long.MaxValue, s_expired);
            return;
        }

        var remainingMs = (expiresAt * 1000) - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        session.CloseAt(Environment.TickCount64 + Math.Max(remainingMs, 0), s_expired);
    }
}
