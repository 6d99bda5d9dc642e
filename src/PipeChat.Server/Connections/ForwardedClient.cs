using System.Net;
using System.Net.Sockets;
using PipeChat.Server.Configuration;

namespace PipeChat.Server.Connections;

/// <summary>
/// The client address a trusted proxy forwarded, from the values of its headers. Pure: no I/O,
/// no state. Each returns null when the value is not what a proxy sends (empty entries, ports,
/// brackets, names, anything but a bare IP address), so the caller keeps the peer's address.
/// </summary>
internal static class ForwardedClient
{
    /// <summary>Longest IP address text: an IPv6 address with an embedded IPv4 address.</summary>
    private const int MaxAddressLength = 45;

    /// <summary>
    /// X-Forwarded-For ("client, proxy1, proxy2"): each proxy appends the address it received
    /// from, so entries left of the last untrusted hop may be made up by the client. Walks from
    /// the right, skipping trusted proxies; the first untrusted hop is the client; when every hop
    /// is trusted, the leftmost. Entries past the client are never looked at.
    /// </summary>
    public static IPAddress? FromForwardedFor(ReadOnlySpan<byte> value, TrustedProxies trusted)
    {
        while (true)
        {
            var comma = value.LastIndexOf((byte)',');
            if (!TryParseAddress(value[(comma + 1)..], out var hop))
            {
                return null;
            }

            if (comma < 0 || !trusted.Contains(hop))
            {
                return hop;
            }

            value = value[..comma];
        }
    }

    /// <summary>X-Real-IP: one bare address.</summary>
    public static IPAddress? FromRealIp(ReadOnlySpan<byte> value)
        => TryParseAddress(value, out var address) ? address : null;

    /// <summary>A bare IPv4 (dotted quad) or IPv6 address, spaces around it allowed; IPv4-mapped IPv6 becomes IPv4.</summary>
    public static bool TryParseAddress(ReadOnlySpan<byte> text, out IPAddress address)
    {
        address = IPAddress.None;
        text = text.Trim(" \t"u8);
        if (text.IsEmpty || text.Length > MaxAddressLength)
        {
            return false;
        }

        Span<char> chars = stackalloc char[MaxAddressLength];
        for (var i = 0; i < text.Length; i++)
        {
            var b = text[i];
            // Digits, hex letters, '.' and ':' only: no ports in brackets, no zone ids, no names.
            if (!(char.IsAsciiHexDigit((char)b) || b is (byte)'.' or (byte)':'))
            {
                return false;
            }

            chars[i] = (char)b;
        }

        var span = chars[..text.Length];
        if (!IPAddress.TryParse(span, out var parsed))
        {
            return false;
        }

        if (parsed.AddressFamily == AddressFamily.InterNetwork && (span.Count('.') != 3 || span.Contains(':')))
        {
            return false; // "10.1", "167772161" (inet_aton forms) or "10.0.0.1:80": not what a proxy writes
        }

        address = parsed.IsIPv4MappedToIPv6 ? parsed.MapToIPv4() : parsed;
        return true;
    }
}
