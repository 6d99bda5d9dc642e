using System.Net;
using System.Text;
using PipeChat.Server.Configuration;
using PipeChat.Server.Connections;

namespace PipeChat.Server.Tests.Sessions;

public sealed class ForwardedClientTests
{
    private static TrustedProxies Trusted(string list)
    {
        Assert.True(TrustedProxies.TryParse(list, out var proxies, out _));
        return proxies;
    }

    private static string? ForwardedFor(string value, string trusted = "127.0.0.1")
        => ForwardedClient.FromForwardedFor(Encoding.ASCII.GetBytes(value), Trusted(trusted))?.ToString();

    private static string? RealIp(string value) => ForwardedClient.FromRealIp(Encoding.ASCII.GetBytes(value))?.ToString();

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8::7", "2001:db8::7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData(" 203.0.113.7 ", "203.0.113.7")]
    public void A_single_hop_is_the_client(string value, string expected) => Assert.Equal(expected, ForwardedFor(value));

    [Fact]
    public void Entries_a_client_made_up_on_the_left_are_ignored()
    {
        // The client sent "X-Forwarded-For: 1.1.1.1"; nginx appended the address it saw.
        Assert.Equal("203.0.113.7", ForwardedFor("1.1.1.1, 203.0.113.7"));
        Assert.Equal("203.0.113.7", ForwardedFor("garbage, ::1:x, 203.0.113.7"));
    }

    [Fact]
    public void Trusted_hops_are_skipped_from_the_right()
    {
        const string trusted = "10.0.0.0/8, fd00::/8";
        Assert.Equal("203.0.113.7", ForwardedFor("1.1.1.1, 203.0.113.7, 10.0.0.5, 10.1.0.9", trusted));
        Assert.Equal("203.0.113.7", ForwardedFor("203.0.113.7,fd00::1,10.0.0.5", trusted));
        Assert.Equal("2001:db8::9", ForwardedFor("2001:db8::9, fd00::1", trusted));
    }

    [Fact]
    public void Every_hop_trusted_gives_the_leftmost()
        => Assert.Equal("10.0.0.1", ForwardedFor("10.0.0.1, 10.0.0.2, 10.0.0.3", "10.0.0.0/8"));

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("unknown")]
    [InlineData("1.1.1.1, ")]
    [InlineData("203.0.113.7:51234")]
    [InlineData("[2001:db8::7]:51234")]
    [InlineData("[2001:db8::7]")]
    [InlineData("fe80::1%eth0")]
    [InlineData("10.1")]
    [InlineData("167772161")]
    [InlineData("_hidden")]
    [InlineData("203.0.113.7, 127.0.0.1, garbage")]
    public void Garbage_at_or_right_of_the_client_is_unusable(string value) => Assert.Null(ForwardedFor(value));

    [Fact]
    public void Garbage_behind_a_trusted_hop_is_unusable()
        => Assert.Null(ForwardedFor("garbage, 127.0.0.1"));

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData(" 2001:db8::7", "2001:db8::7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    public void Real_ip_is_one_address(string value, string expected) => Assert.Equal(expected, RealIp(value));

    [Theory]
    [InlineData("")]
    [InlineData("203.0.113.7:80")]
    [InlineData("203.0.113.7, 10.0.0.1")]
    [InlineData("[::1]")]
    [InlineData("client")]
    public void Real_ip_garbage_is_unusable(string value) => Assert.Null(RealIp(value));
}
