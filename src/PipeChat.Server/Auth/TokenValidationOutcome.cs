using System.Diagnostics.CodeAnalysis;

namespace PipeChat.Server.Auth;

/// <summary>A validated token's user id, room access and expiry (unix seconds), or why it was refused.</summary>
public readonly record struct TokenValidationOutcome(string? UserId, TokenFailure Failure, RoomAccess? Access = null, long ExpiresAt = 0)
{
    [MemberNotNullWhen(true, nameof(UserId), nameof(Access))]
    public bool IsValid => Failure == TokenFailure.None && UserId is not null && Access is not null;

    public static TokenValidationOutcome Success(string userId, RoomAccess access, long expiresAt) => new(userId, TokenFailure.None, access, expiresAt);

    public static TokenValidationOutcome Fail(TokenFailure failure) => new(null, failure);
}
