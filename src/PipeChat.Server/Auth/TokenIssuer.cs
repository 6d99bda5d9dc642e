using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace PipeChat.Server.Auth;

/// <summary>Mints HS256 tokens the server accepts (for the <c>token</c> command and tests).</summary>
public static class TokenIssuer
{
    /// <summary>A compact JWT with sub = <paramref name="userId"/>, iat, nbf and exp = now + <paramref name="ttl"/>.</summary>
    /// <exception cref="ArgumentException">The secret is too short, the id invalid, or the ttl not positive.</exception>
    public static string Create(string secret, string userId, TimeSpan ttl, string? issuer = null, string? audience = null, TimeProvider? time = null)
    {
        if (!UserIdRules.IsValid(userId))
        {
            throw new ArgumentException("Not a valid user id.", nameof(userId));
        }

        if (ttl <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), ttl, "The lifetime must be positive.");
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
            SigningCredentials = new SigningCredentials(AuthSecret.CreateKey(secret), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }
}
