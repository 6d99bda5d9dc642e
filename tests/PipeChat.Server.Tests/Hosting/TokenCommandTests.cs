using PipeChat.Server.Auth;
using PipeChat.Server.Hosting;

namespace PipeChat.Server.Tests.Hosting;

/// <summary>The token command mints tokens with the rooms and mod claims and an expiry, and names a bad option.</summary>
public sealed class TokenCommandTests
{
    private const string Secret = "a-test-secret-that-is-at-least-32-bytes-long";

    [Fact]
    public async Task Mints_a_token_with_rooms_mod_and_ttl_that_the_server_accepts()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var code = TokenCommand.Run(["--uid", "mia", "--ttl", "120", "--rooms", "lobby, class-7-*", "--mod", "class-7-*", "--auth-secret", Secret], output, error);

        Assert.Equal(0, code);
        var outcome = await new TokenValidator(Secret).ValidateAsync(output.ToString().Trim());
        Assert.True(outcome.IsValid, outcome.Failure.ToString());
        Assert.Equal("mia", outcome.UserId);
        Assert.Equal(["lobby", "class-7-*"], outcome.Access.Rooms!);
        Assert.Equal(["class-7-*"], outcome.Access.Moderated);
        Assert.InRange(outcome.ExpiresAt - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 110, 121);
    }

    [Fact]
    public void A_bad_pattern_is_refused_naming_the_option()
    {
        var error = new StringWriter();

        var code = TokenCommand.Run(["--uid", "mia", "--mod", "a*b", "--auth-secret", Secret], new StringWriter(), error);

        Assert.Equal(2, code);
        Assert.Contains("--mod", error.ToString(), StringComparison.Ordinal);
    }
}
