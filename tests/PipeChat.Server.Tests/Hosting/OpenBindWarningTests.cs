using Microsoft.Extensions.Logging;
using PipeChat.Server.Configuration;
using PipeChat.Server.Hosting;
using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Hosting;

/// <summary>Auth off on a port others can reach: the start-up log says anyone can pick any user id.</summary>
public sealed class OpenBindWarningTests
{
    private static bool Warns(ServerOptions options)
    {
        var logger = new CapturingLogger();
        PipeChatHost.WarnIfAuthOffOnOpenBind(logger, options);
        return logger.Entries.Any(e => e.Level == LogLevel.Warning && e.Message.Contains("anyone who can reach it can pick any user id", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("any")]
    [InlineData("0.0.0.0")]
    [InlineData("10.0.0.1")]
    [InlineData("::")]
    public void Auth_off_on_a_non_loopback_bind_warns(string bind) => Assert.True(Warns(new ServerOptions { Bind = bind }));

    [Theory]
    [InlineData("loopback")]
    [InlineData("127.0.0.1")]
    [InlineData("127.9.9.9")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void Auth_off_on_loopback_does_not_warn(string bind) => Assert.False(Warns(new ServerOptions { Bind = bind }));

    [Fact]
    public void Auth_on_does_not_warn()
        => Assert.False(Warns(new ServerOptions { Bind = "any", AuthSecret = "0123456789abcdef0123456789abcdef" }));

    [Fact]
    public void The_default_settings_warn()
        => Assert.True(Warns(new ServerOptions()));
}
