using System.Diagnostics.CodeAnalysis;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace PipeChat.Server.Auth;

/// <summary>
/// The shared HS256 secret: the UTF-8 bytes of the configured string. HS256 needs a key of at
/// least 256 bits, so a secret shorter than 32 bytes is a configuration error.
/// </summary>
public static class AuthSecret
{
    public const int MinimumBytes = 32;

    /// <summary>Whether <paramref name="secret"/> can sign and verify HS256 tokens; otherwise says why.</summary>
    public static bool IsValid([NotNullWhen(true)] string? secret, [NotNullWhen(false)] out string? problem)
    {
        if (string.IsNullOrEmpty(secret))
        {
            problem = "The auth secret is empty.";
            return false;
        }

        var length = Encoding.UTF8.GetByteCount(secret);
        if (length < MinimumBytes)
        {
            problem = $"The auth secret is {length} bytes; HS256 needs at least {MinimumBytes} bytes (256 bits).";
            return false;
        }

        problem = null;
        return true;
    }

    internal static SymmetricSecurityKey CreateKey(string? secret)
    {
        if (!IsValid(secret, out var problem))
        {
            throw new ArgumentException(problem, nameof(secret));
        }

        return new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret));
    }
}
