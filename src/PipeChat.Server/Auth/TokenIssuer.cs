using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace PipeChat.Server.Auth;

/// <summary>Mints HS256 tokens the server accepts (for the <c>token</c> command and tests).</summary>
public static class TokenIssuer
{
    /// <summary>
    /// A compact JWT with sub = <paramref name="userId"/>, iat, nbf and exp = now + <paramref name="ttl"/>;
    /// with <paramref name="rooms"/> and <paramref name="moderated"/>, the <c>rooms</c> and <c>mod</c>
    /// claims (<see cref="RoomAccess"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The secret is too short, the id invalid, a pattern invalid, or the ttl not positive.</exception>
    public static string Create(
        string secret, string userId, TimeSpan ttl, string? issuer = null, string? audience = null, TimeProvider? time = null,
        IReadOnlyList<string>? rooms = null, IReadOnlyList<string>? moderated = null)
    {
        if (!UserIdRules.IsValid(userId))
        {
            throw new ArgumentException("Not a valid user id.", nameof(userId));
        }

        if (ttl <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), ttl, "The lifetime must be positive.");
        }

        Dictionary<string, object>? claims = null;
        foreach (var (name, patterns) in new[] { ("rooms", rooms), ("mod", moderated) })
        {
            if (patterns is null)
            {
                continue;
            }

            if (patterns.Count > RoomAccess.MaxPatterns || patterns.Any(p => !RoomAccess.IsValidPattern(p)))
            {
                throw new ArgumentException($"{name}: each entry is a room id or a prefix ending in *, 1-{RoomAccess.MaxPatternBytes} bytes, at most {RoomAccess.MaxPatterns} entries.", name == "rooms" ? nameof(rooms) : nameof(moderated));
            }

            (claims ??= [])[name] = patterns.ToArray();
        }

        var now = (time ?? TimeProvider.System).GetUtcNow().UtcDateTime;
        var descriptor = new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim(JwtRegisteredClaimNames.Sub, userId)]),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + ttl,
            Issuer = issuer,
            Audience = audience,
            Claims = claims,
            SigningCredentials = new SigningCredentials(AuthSecret.CreateKey(secret), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }
}
