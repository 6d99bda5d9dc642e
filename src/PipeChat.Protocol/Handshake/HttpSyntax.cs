using System.Buffers;
using System.Text;

namespace PipeChat.Protocol.Handshake;

/// <summary>Character classes and small helpers from RFC 9110 (tokens, OWS, token lists).</summary>
internal static class HttpSyntax
{
    /// <summary>tchar = "!" / "#" / "$" / "%" / "&amp;" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA.</summary>
    private static readonly SearchValues<byte> s_tokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    /// <summary>Control characters a field value may not contain (everything below SP except HTAB, and DEL).</summary>
    private static readonly SearchValues<byte> s_invalidValueChars = SearchValues.Create(
        [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F,
         0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F, 0x7F]);

    public static bool IsToken(ReadOnlySpan<byte> value) => !value.IsEmpty && !value.ContainsAnyExcept(s_tokenChars);

    public static bool IsValidFieldValue(ReadOnlySpan<byte> value) => !value.ContainsAny(s_invalidValueChars);

    public static bool IsOws(byte b) => b is (byte)' ' or (byte)'\t';

    /// <summary>Removes optional whitespace (SP / HTAB) from both ends.</summary>
    public static ReadOnlySpan<byte> TrimOws(ReadOnlySpan<byte> value)
    {
        var start = 0;
        while (start < value.Length && IsOws(value[start]))
        {
            start++;
        }

        var end = value.Length;
        while (end > start && IsOws(value[end - 1]))
        {
            end--;
        }

        return value[start..end];
    }

    /// <summary>Whether a comma-separated list (#token) has an element equal to <paramref name="token"/>.</summary>
    public static bool ListContains(ReadOnlySpan<byte> list, ReadOnlySpan<byte> token, bool ignoreCase)
    {
        while (true)
        {
            var comma = list.IndexOf((byte)',');
            var element = TrimOws(comma < 0 ? list : list[..comma]);
            if (ignoreCase ? Ascii.EqualsIgnoreCase(element, token) : element.SequenceEqual(token))
            {
                return true;
            }

            if (comma < 0)
            {
                return false;
            }

            list = list[(comma + 1)..];
        }
    }
}
