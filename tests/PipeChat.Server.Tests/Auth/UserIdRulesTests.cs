using System.Text;
using PipeChat.Server.Auth;

namespace PipeChat.Server.Tests.Auth;

public class UserIdRulesTests
{
    [Theory]
    [InlineData("alice")]
    [InlineData("A")]
    [InlineData("user_1.name@example.com")]
    [InlineData("wx:oAbC-123")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123")]
    public void Valid_ids(string id)
    {
        Assert.True(UserIdRules.IsValid(id));
        Assert.True(UserIdRules.IsValid(Encoding.ASCII.GetBytes(id)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("01234567890123456789012345678901234567890123456789012345678901234")]
    [InlineData("al ice")]
    [InlineData("alice/bob")]
    [InlineData("a+b")]
    [InlineData("中文")]
    [InlineData("a\"b")]
    [InlineData("a\u0000")]
    [InlineData("a%41")]
    public void Invalid_ids(string id)
    {
        Assert.False(UserIdRules.IsValid(id));
        Assert.False(UserIdRules.IsValid(Encoding.UTF8.GetBytes(id)));
    }

    [Theory]
    [InlineData("/alice", "alice")]
    [InlineData("/al%69ce", "alice")]
    [InlineData("/user%40example.com", "user@example.com")]
    [InlineData("/wx:abc", "wx:abc")]
    public void Path_gives_the_segment_after_the_slash_percent_decoded(string path, string expected)
    {
        Assert.True(UserIdRules.TryGetFromPath(Encoding.ASCII.GetBytes(path), out var id));
        Assert.Equal(expected, id);
        Assert.True(UserIdRules.TryGetFromPath(path, out id));
        Assert.Equal(expected, id);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("alice")]
    [InlineData("/a/b")]
    [InlineData("/alice/")]
    [InlineData("//alice")]
    [InlineData("/a%2Fb")]
    [InlineData("/a%2")]
    [InlineData("/a%zz")]
    [InlineData("/al%20ice")]
    [InlineData("/%E4%B8%AD")]
    [InlineData("/中")]
    public void Path_without_exactly_one_valid_segment_is_refused(string path)
    {
        Assert.False(UserIdRules.TryGetFromPath(Encoding.UTF8.GetBytes(path), out var id));
        Assert.Null(id);
        Assert.False(UserIdRules.TryGetFromPath(path, out _));
    }

    [Fact]
    public void Query_value_is_percent_decoded()
    {
        Assert.True(UserIdRules.TryDecode("b%6Fb"u8, out var id));
        Assert.Equal("bob", id);
        Assert.False(UserIdRules.TryDecode("b+b"u8, out _));
        Assert.False(UserIdRules.TryDecode(""u8, out _));
    }
}
