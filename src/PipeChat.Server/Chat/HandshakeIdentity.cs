using System.Buffers;
using System.Text;
using PipeChat.Server.Configuration;
using PipeChat.Protocol.Handshake;
using PipeChat.Server.Auth;
using PipeChat.Server.Connections;
using PipeChat.Server.Rooms;

namespace PipeChat.Server.Chat;

/// <summary>
/// Who is connecting, decided at the WebSocket handshake: the origin check, then the user id
/// from a JWT (with auth on) or from the URL, and the per-user connection cap.
/// </summary>
internal sealed class HandshakeIdentity
{
    private readonly ServerOptions _options;
    private readonly UserDirectory _users;
    private readonly TokenValidator? _tokens;
    private readonly string[] _allowedOrigins;

    public HandshakeIdentity(ServerOptions options, UserDirectory users)
    {
        _options = options;
        _users = users;
        _tokens = options.AuthSecret is { } secret ? new TokenValidator(secret, options.AuthIssuer, options.AuthAudience) : null;
        _allowedOrigins = (options.AllowedOrigins ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public bool TryAccept(in HandshakeRequest request, out AcceptDecision decision, out HandshakeError error)
    {
        decision = default;
        if (_allowedOrigins.Length > 0 && !request.Origin.IsEmpty && !IsAllowedOrigin(request.Origin))
        {
            error = new HandshakeError(403, "origin not allowed");
            return false;
        }

        if (_tokens is not null)
        {
            // With auth on, the id comes only from the token; any id in the URL is ignored.
            string? token = null;
            if (request.TryGetQueryParameter("token"u8, out var rawToken))
            {
                token = DecodeQueryValue(rawToken);
            }
            else if (request.TryGetHeader("Authorization"u8, out var authorization)
                && authorization.Length > 7 && Ascii.EqualsIgnoreCase(authorization[..7], "Bearer "u8))
            {
                token = Encoding.ASCII.GetString(authorization[7..].Trim((byte)' '));
            }

            decision = new AcceptDecision(null, token ?? "");
            error = default;
            return true;
        }

        string? userId = null;
        if (request.TryGetQueryParameter("id"u8, out var rawId))
        {
            if (!UserIdRules.TryDecode(rawId, out userId))
            {
                error = new HandshakeError(400, "invalid id: use 1-64 characters of A-Z a-z 0-9 _ . @ : -");
                return false;
            }
        }
        else if (!UserIdRules.TryGetFromPath(request.Path, out userId))
        {
            error = new HandshakeError(400, request.Path.Length <= 1
                ? "missing id: connect to /<id> or ?id=<id>"
                : "invalid id: use 1-64 characters of A-Z a-z 0-9 _ . @ : -");
            return false;
        }

        if (_users.ConnectionCount(userId) >= _options.MaxConnectionsPerUser)
        {
            error = new HandshakeError(429, "too many connections for this user id");
            return false;
        }

        decision = new AcceptDecision(userId, null);
        error = default;
        return true;
    }

    /// <summary>Checks the token; the connection's chat state starts with what it grants (rooms, moderation, expiry).</summary>
    public async ValueTask<(string? UserId, HandshakeError Error, object? State)> CompleteAcceptAsync(AcceptDecision decision)
    {
        var outcome = await _tokens!.ValidateAsync(decision.Token);
        if (!outcome.IsValid)
        {
            return (null, new HandshakeError(401, TokenFailureReason(outcome.Failure)), null);
        }

        if (_users.ConnectionCount(outcome.UserId) >= _options.MaxConnectionsPerUser)
        {
            return (null, new HandshakeError(429, "too many connections for this user id"), null);
        }

        var state = new ChatConnectionState(_options.RateLimitPerSecond, _options.RateLimitBurst)
        {
            Access = outcome.Access,
            ExpiresAt = outcome.ExpiresAt,
        };
        return (outcome.UserId, default, state);
    }

    /// <summary>Validates a token presented later on the connection (a refresh); null when auth is off.</summary>
    public Task<TokenValidationOutcome>? ValidateAsync(string token) => _tokens?.ValidateAsync(token);

    public static string TokenFailureReason(TokenFailure failure) => failure switch
    {
        TokenFailure.Missing => "missing token: pass ?token=<jwt> or Authorization: Bearer <jwt>",
        TokenFailure.Expired => "token expired",
        TokenFailure.NotYetValid => "token not yet valid",
        TokenFailure.NoExpiration => "token has no exp claim",
        TokenFailure.BadSignature => "token signature invalid",
        TokenFailure.BadAlgorithm => "token algorithm must be HS256",
        TokenFailure.BadSubject => "token sub is not a valid user id",
        TokenFailure.BadIssuer => "token issuer not accepted",
        TokenFailure.BadAudience => "token audience not accepted",
        TokenFailure.BadClaims => "token rooms and mod claims must be arrays of room ids or prefixes ending in *",
        _ => "token invalid",
    };

    private static string? DecodeQueryValue(ReadOnlySpan<byte> raw)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(raw.Length);
        try
        {
            return HandshakeRequest.TryPercentDecode(raw, buffer, out var written)
                ? Encoding.UTF8.GetString(buffer, 0, written)
                : null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private bool IsAllowedOrigin(ReadOnlySpan<byte> origin)
    {
        Span<char> chars = stackalloc char[Math.Min(origin.Length, 512)];
        if (origin.Length > chars.Length)
        {
            return false;
        }

        var count = Encoding.ASCII.GetChars(origin, chars);
        foreach (var allowed in _allowedOrigins)
        {
            if (chars[..count].Equals(allowed, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
