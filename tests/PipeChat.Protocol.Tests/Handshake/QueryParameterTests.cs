using System.Text;
using PipeChat.Protocol.Handshake;
using static PipeChat.Protocol.Tests.Handshake.HandshakeParse;

namespace PipeChat.Protocol.Tests.Handshake;

public class QueryParameterTests
{
    [Fact]
    public void Query_parameters_return_raw_values()
    {
        EveryShape("GET /chat?room=lobby&token=a%20b+c&flag&empty=&room=second HTTP/1.1\r\nHost: a\r\n\r\n", check: r =>
        {
            Assert.Equal("/chat", Latin1(r.Path));
            Assert.True(r.TryGetQueryParameter("room"u8, out var room));
            Assert.Equal("lobby", Latin1(room));
            Assert.True(r.TryGetQueryParameter("token"u8, out var token));
            Assert.Equal("a%20b+c", Latin1(token));
            Assert.True(r.TryGetQueryParameter("flag"u8, out var flag));
            Assert.True(flag.IsEmpty);
            Assert.True(r.TryGetQueryParameter("empty"u8, out var empty));
            Assert.True(empty.IsEmpty);
            Assert.False(r.TryGetQueryParameter("missing"u8, out _));
            Assert.False(r.TryGetQueryParameter("roo"u8, out _));
        });
    }

    [Fact]
    public void No_query_has_no_parameters()
    {
        EveryShape("GET /chat HTTP/1.1\r\nHost: a\r\n\r\n", check: r =>
        {
            Assert.True(r.Query.IsEmpty);
            Assert.False(r.TryGetQueryParameter("room"u8, out _));
        });
    }

    [Fact]
    public void Question_mark_alone_gives_an_empty_query()
    {
        var outcome = EveryShape("GET /chat? HTTP/1.1\r\nHost: a\r\n\r\n");

        Assert.Equal("/chat", outcome.Path);
        Assert.Equal("", outcome.Query);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a%20b", "a b")]
    [InlineData("a+b", "a b")]
    [InlineData("%2B%2b", "++")]
    [InlineData("%E4%BD%A0%E5%A5%BD", "你好")]
    [InlineData("", "")]
    public void Percent_decoding_handles_escapes_and_plus(string raw, string expected)
    {
        var destination = new byte[raw.Length];

        Assert.True(HandshakeRequest.TryPercentDecode(Encoding.UTF8.GetBytes(raw), destination, out var written));
        Assert.Equal(expected, Encoding.UTF8.GetString(destination, 0, written));
    }

    [Theory]
    [InlineData("%")]
    [InlineData("%2")]
    [InlineData("a%zz")]
    [InlineData("%g0")]
    [InlineData("abc%")]
    public void Percent_decoding_rejects_bad_escapes(string raw)
    {
        Assert.False(HandshakeRequest.TryPercentDecode(Encoding.UTF8.GetBytes(raw), new byte[16], out _));
    }

    [Fact]
    public void Percent_decoding_fails_when_the_destination_is_too_small()
    {
        Assert.False(HandshakeRequest.TryPercentDecode("abcd"u8, new byte[3], out _));
        Assert.True(HandshakeRequest.TryPercentDecode("%41%42"u8, new byte[2], out var written));
        Assert.Equal(2, written);
    }
}
