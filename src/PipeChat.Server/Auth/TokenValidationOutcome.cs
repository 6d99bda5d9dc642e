using System.Diagnostics.CodeAnalysis;

namespace PipeChat.Server.Auth;

/// <summary>A validated token's user id, or why it was refused.</summary>
public readonly record struct TokenValidationOutcome(string? UserId, TokenFailure Failure)
{
    [MemberNotNullWhen(true, nameof(UserId))]
    public bool IsValid => Failure == TokenFailure.None && UserId is not null;

    public static TokenValidationOutcome Success(string userId) => new(userId, TokenFailure.None);

    public static TokenValidationOutcome Fail(TokenFailure failure) => new(null, failure);
}
