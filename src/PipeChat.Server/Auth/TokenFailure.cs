namespace PipeChat.Server.Auth;

/// <summary>Why a token was refused (every one of these is HTTP 401 at the handshake).</summary>
public enum TokenFailure
{
    None = 0,

    /// <summary>No token was presented.</summary>
    Missing,

    /// <summary>Not a compact JWS (three base64url parts with JSON header and payload), or too large.</summary>
    Malformed,

    /// <summary>exp is in the past (beyond the clock skew).</summary>
    Expired,

    /// <summary>nbf is in the future (beyond the clock skew).</summary>
    NotYetValid,

    /// <summary>No exp claim.</summary>
    NoExpiration,

    /// <summary>The signature does not verify with the configured secret (forged or unsigned).</summary>
    BadSignature,

    /// <summary>alg is not HS256.</summary>
    BadAlgorithm,

    /// <summary>sub is missing, not a string, or not a valid user id (<see cref="UserIdRules"/>).</summary>
    BadSubject,

    /// <summary>iss does not match the configured issuer.</summary>
    BadIssuer,

    /// <summary>aud does not match the configured audience.</summary>
    BadAudience,

    /// <summary>The rooms or mod claim is not an array of room-id patterns (<see cref="RoomAccess"/>).</summary>
    BadClaims,

    /// <summary>Any other validation failure.</summary>
    Invalid,
}
