using System.Buffers;
using System.Diagnostics.CodeAnalysis;

namespace PipeChat.Server.Auth;

/// <summary>
/// What a user id may be: 1 to 64 characters, each an ASCII letter, digit, or one of
/// <c>_ . @ : -</c>. Ids are case-sensitive. The same rule applies to ids taken from the URL
/// (auth off) and to a JWT's <c>sub</c> (auth on).
/// </summary>
public static class UserIdRules
{
    public const int MaxLength = 64;

    private const string AllowedCharacters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.@:-";

    private static readonly SearchValues<char> s_allowedChars = SearchValues.Create(AllowedCharacters);
    private static readonly SearchValues<byte> s_allowedBytes = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.@:-"u8);

    /// <summary>Whether <paramref name="id"/> is a valid user id.</summary>
    public static bool IsValid(ReadOnlySpan<char> id) =>
        id.Length is >= 1 and <= MaxLength && !id.ContainsAnyExcept(s_allowedChars);

    /// <summary>Whether the (already decoded) ASCII bytes form a valid user id.</summary>
    public static bool IsValid(ReadOnlySpan<byte> id) =>
        id.Length is >= 1 and <= MaxLength && !id.ContainsAnyExcept(s_allowedBytes);

    /// <summary>
    /// The id from a request path as the original server took it: the one segment after the
    /// leading '/', percent-decoded (<c>/alice</c> → alice, <c>/al%69ce</c> → alice).
    /// <c>/</c>, nested paths (<c>/a/b</c>, <c>/alice/</c>) and invalid ids give false.
    /// </summary>
    /// <param name="rawPath">The path as sent, without the query, still percent-encoded.</param>
    public static bool TryGetFromPath(ReadOnlySpan<byte> rawPath, [NotNullWhen(true)] out string? userId)
    {
        userId = null;
        return rawPath.Length > 1 && rawPath[0] == (byte)'/' && TryDecode(rawPath[1..], out userId);
    }

    /// <inheritdoc cref="TryGetFromPath(ReadOnlySpan{byte}, out string?)"/>
    public static bool TryGetFromPath(ReadOnlySpan<char> rawPath, [NotNullWhen(true)] out string? userId)
    {
        userId = null;
        if (rawPath.Length > 1 + (3 * MaxLength) || !System.Text.Ascii.IsValid(rawPath))
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[rawPath.Length];
        System.Text.Ascii.FromUtf16(rawPath, bytes, out _);
        return TryGetFromPath(bytes, out userId);
    }

    /// <summary>
    /// A user id from one percent-encoded component (a path segment or a query value such as
    /// <c>?id=alice</c>). A '/' (raw or encoded), '+', or any other character outside the
    /// rule gives false.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> percentEncoded, [NotNullWhen(true)] out string? userId)
    {
        userId = null;
        if (percentEncoded.Length is 0 or > 3 * MaxLength)
        {
            return false;
        }

        Span<byte> decoded = stackalloc byte[percentEncoded.Length];
        var length = 0;
        for (var i = 0; i < percentEncoded.Length; i++)
        {
            var b = percentEncoded[i];
            if (b == (byte)'%')
            {
                if (i + 2 >= percentEncoded.Length)
                {
                    return false;
                }

                var high = HexValue(percentEncoded[i + 1]);
                var low = HexValue(percentEncoded[i + 2]);
                if (high < 0 || low < 0)
                {
                    return false;
                }

                b = (byte)((high << 4) | low);
                i += 2;
            }

            decoded[length++] = b;
        }

        if (!IsValid(decoded[..length]))
        {
            return false;
        }

        userId = System.Text.Encoding.ASCII.GetString(decoded[..length]);
        return true;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
