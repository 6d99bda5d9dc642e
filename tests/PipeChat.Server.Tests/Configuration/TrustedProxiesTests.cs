using System.Net;
using PipeChat.Server.Configuration;

namespace PipeChat.Server.Tests.Configuration;

public sealed class TrustedProxiesTests
{
    private static TrustedProxies Parse(string list)
    {
        Assert.True(TrustedProxies.TryParse(list, out var proxies, out var bad), $"refused '{bad}'");
        return proxies;
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Empty_list_trusts_nobody(string? list)
    {
        var proxies = Parse(list!);
        Assert.True(proxies.IsEmpty);
        Assert.False(proxies.Contains(IPAddress.Loopback));
        Assert.False(proxies.Contains(IPAddress.IPv6Loopback));
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1", true)]
    [InlineData("127.0.0.1", "127.0.0.2", false)]
    [InlineData("10.0.0.1, 10.0.0.2", "10.0.0.2", true)]
    [InlineData("::1", "::1", true)]
    [InlineData("::1", "127.0.0.1", false)]
    [InlineData("2001:db8::5", "2001:db8::5", true)]
    [InlineData("2001:db8::5", "2001:db8::6", false)]
    public void Exact_addresses_match_only_themselves(string list, string address, bool expected)
        => Assert.Equal(expected, Parse(list).Contains(IPAddress.Parse(address)));

    [Theory]
    [InlineData("10.0.0.0/8", "10.255.1.2", true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("192.168.4.0/22", "192.168.7.255", true)]
    [InlineData("192.168.4.0/22", "192.168.8.0", false)]
    [InlineData("0.0.0.0/0", "8.8.8.8", true)]
    [InlineData("0.0.0.0/0", "::1", false)]
    [InlineData("127.0.0.1/32", "127.0.0.1", true)]
    [InlineData("fd00::/8", "fd12:3456::1", true)]
    [InlineData("fd00::/8", "fe80::1", false)]
    [InlineData("2001:db8:1::/48", "2001:db8:1:ffff::1", true)]
    [InlineData("2001:db8:1::/48", "2001:db8:2::1", false)]
    [InlineData("::/0", "2001:db8::1", true)]
    [InlineData("::/0", "10.0.0.1", false)]
    public void Cidr_ranges_match_their_addresses(string list, string address, bool expected)
        => Assert.Equal(expected, Parse(list).Contains(IPAddress.Parse(address)));

    [Theory]
    [InlineData("127.0.0.1", "::ffff:127.0.0.1", true)]
    [InlineData("10.0.0.0/8", "::ffff:10.9.8.7", true)]
    [InlineData("10.0.0.0/8", "::ffff:11.9.8.7", false)]
    [InlineData("::ffff:127.0.0.1", "127.0.0.1", true)]
    [InlineData("::ffff:10.0.0.0/104", "10.1.2.3", true)]
    [InlineData("::ffff:10.0.0.0/104", "::ffff:10.1.2.3", true)]
    [InlineData("::ffff:10.0.0.0/104", "11.1.2.3", false)]
    public void Ipv4_mapped_addresses_compare_as_ipv4(string list, string address, bool expected)
        => Assert.Equal(expected, Parse(list).Contains(IPAddress.Parse(address)));

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1,nginx")]
    [InlineData("10.0.0.0/33")]
    [InlineData("fd00::/129")]
    [InlineData("10.0.0.0/")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("10.0.0.0/8/8")]
    [InlineData("10.0.0.0/ 8")]
    [InlineData("10.0.0.1/8")]
    [InlineData("fd00::1/8")]
    [InlineData("10.1")]
    [InlineData("167772161")]
    [InlineData("fe80::1%eth0")]
    [InlineData("[::1]")]
    [InlineData("127.0.0.1:80")]
    [InlineData("::ffff:10.0.0.0/64")]
    public void Bad_entries_are_refused_and_named(string list)
    {
        Assert.False(TrustedProxies.TryParse(list, out _, out var bad));
        Assert.NotEmpty(bad);
        Assert.Contains(bad, list, StringComparison.Ordinal);
    }
}
