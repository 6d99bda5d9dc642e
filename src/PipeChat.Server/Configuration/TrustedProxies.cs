using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace PipeChat.Server.Configuration;

/// <summary>
/// The parsed <c>--trusted-proxies</c> list: IP addresses and CIDR ranges, IPv4 and IPv6. An
/// IPv4-mapped IPv6 address (::ffff:a.b.c.d), in the list or checked against it, counts as its
/// IPv4 address. Checking an address allocates nothing.
/// </summary>
public sealed class TrustedProxies
{
    /// <summary>The empty list: no peer is trusted, forwarding headers are never read.</summary>
    public static readonly TrustedProxies None = new([], []);

    private readonly (uint Network, uint Mask)[] _v4;
    private readonly (UInt128 Network, UInt128 Mask)[] _v6;

    private TrustedProxies((uint, uint)[] v4, (UInt128, UInt128)[] v6)
    {
        _v4 = v4;
        _v6 = v6;
    }

    /// <summary>Whether the list is empty.</summary>
    public bool IsEmpty => _v4.Length == 0 && _v6.Length == 0;

    /// <summary>
    /// Parses a comma-separated list of addresses ("10.0.0.1", "::1") and CIDRs ("10.0.0.0/8",
    /// "fd00::/8"); spaces around entries are ignored, empty entries skipped. False with the
    /// offending entry when one is not an address or has a bad prefix length or host bits set.
    /// </summary>
    public static bool TryParse(string? list, out TrustedProxies proxies, out string badEntry)
    {
        proxies = None;
        badEntry = "";
        if (string.IsNullOrWhiteSpace(list))
        {
            return true;
        }

        var v4 = new List<(uint, uint)>();
        var v6 = new List<(UInt128, UInt128)>();
        foreach (var raw in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!TryParseEntry(raw, v4, v6))
            {
                badEntry = raw;
                return false;
            }
        }

        proxies = new TrustedProxies([.. v4], [.. v6]);
        return true;
    }

    /// <summary>Whether <paramref name="address"/> is in the list (an IPv4-mapped address compares as IPv4).</summary>
    public bool Contains(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var written))
        {
            return false;
        }

        if (written == 4)
        {
            return ContainsV4(BinaryPrimitives.ReadUInt32BigEndian(bytes));
        }

        var value = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        if (address.IsIPv4MappedToIPv6)
        {
            return ContainsV4((uint)value);
        }

        foreach (var (network, mask) in _v6)
        {
            if ((value & mask) == network)
            {
                return true;
            }
        }

        return false;
    }

    private bool ContainsV4(uint value)
    {
        foreach (var (network, mask) in _v4)
        {
            if ((value & mask) == network)
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryParseEntry(string entry, List<(uint, uint)> v4, List<(UInt128, UInt128)> v6)
    {
        var slash = entry.IndexOf('/');
        var addressText = slash < 0 ? entry : entry[..slash];
        // A bare address: IPAddress.TryParse would also take "[::1]:80" or a zone id ("fe80::1%eth0").
        if (!addressText.All(c => char.IsAsciiHexDigit(c) || c is '.' or ':') || !IPAddress.TryParse(addressText, out var address))
        {
            return false;
        }

        // IPAddress.TryParse accepts "1" or "10.1" (inet_aton forms); a proxy list wants dotted quads.
        if (address.AddressFamily == AddressFamily.InterNetwork && addressText.Count(c => c == '.') != 3)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        var bits = written * 8;
        var prefix = bits;
        if (slash >= 0)
        {
            var prefixText = entry[(slash + 1)..];
            if (prefixText.Length is 0 or > 3 || !prefixText.All(char.IsAsciiDigit) || !int.TryParse(prefixText, out prefix) || prefix > bits)
            {
                return false;
            }
        }

        if (written == 16 && address.IsIPv4MappedToIPv6)
        {
            if (prefix < 96)
            {
                return false;
            }

            written = 4;
            prefix -= 96;
            bytes[12..16].CopyTo(bytes);
        }

        if (written == 4)
        {
            var value = BinaryPrimitives.ReadUInt32BigEndian(bytes);
            var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
            if ((value & ~mask) != 0)
            {
                return false;
            }

            v4.Add((value, mask));
            return true;
        }

        var value6 = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        var mask6 = prefix == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - prefix);
        if ((value6 & ~mask6) != UInt128.Zero)
        {
            return false;
        }

        v6.Add((value6, mask6));
        return true;
    }
}
