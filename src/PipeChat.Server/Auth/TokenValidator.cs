using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace PipeChat.Server.Auth;

/// <summary>
/// Validates the JWT a client presents at the handshake: compact JWS, alg HS256 only, signed
/// with the configured secret, exp required (30 s clock skew), nbf honoured, sub a valid user
/// id, rooms and mod (when present) arrays of room-id patterns; iss and aud checked only when configured. Thread-safe; make one per configuration.
/// </summary>
public sealed class TokenValidator
{
    /// <summary>Allowed difference between the issuer's clock and ours.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    /// <summary>Larger tokens are refused before parsing.</summary>
    public const int MaxTokenLength = 8 * 1024;

    private readonly JsonWebTokenHandler _handler = new() { MaximumTokenSizeInBytes = MaxTokenLength };
    private readonly TokenValidationParameters _parameters;

    /// <exception cref="ArgumentException">The secret is shorter than <see cref="AuthSecret.MinimumBytes"/>.</exception>
    public TokenValidator(string secret, string? issuer = null, string? audience = null)
    {
        _parameters = new TokenValidationParameters
        {
            IssuerSigningKey = AuthSecret.CreateKey(secret),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = ClockSkew,
            ValidateIssuer = issuer is not null,
            ValidIssuer = issuer,
            ValidateAudience = audience is not null,
            ValidAudience = audience,
            ValidateIssuerSigningKey = false,
        };
    }

    /// <summary>Validates <paramref name="token"/> (the bare compact JWT, no "Bearer " prefix).</summary>
    public async Task<TokenValidationOutcome> ValidateAsync(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return TokenValidationOutcome.Fail(TokenFailure.Missing);
        }

        if (token.Length > MaxTokenLength)
        {
            return TokenValidationOutcome.Fail(TokenFailure.Malformed);
        }

        var result = await _handler.ValidateTokenAsync(token, _parameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return TokenValidationOutcome.Fail(Classify(result.Exception));
        }

        if (result.SecurityToken is not JsonWebToken jwt)
        {
            return TokenValidationOutcome.Fail(TokenFailure.BadSubject);
        }

        var failure = TokenClaims.Read(jwt.EncodedPayload, out var subject, out var access);
        if (failure != TokenFailure.None)
        {
            return TokenValidationOutcome.Fail(failure);
        }

        return TokenValidationOutcome.Success(subject!, access, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero).ToUnixTimeSeconds());
    }

    private static TokenFailure Classify(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException => TokenFailure.Expired,
        SecurityTokenNotYetValidException => TokenFailure.NotYetValid,
        SecurityTokenNoExpirationException => TokenFailure.NoExpiration,
        SecurityTokenInvalidAlgorithmException => TokenFailure.BadAlgorithm,
        SecurityTokenInvalidSignatureException => TokenFailure.BadSignature,
        SecurityTokenInvalidIssuerException => TokenFailure.BadIssuer,
        SecurityTokenInvalidAudienceException => TokenFailure.BadAudience,
        SecurityTokenMalformedException => TokenFailure.Malformed,
        ArgumentException => TokenFailure.Malformed,
        _ => TokenFailure.Invalid,
    };

}
