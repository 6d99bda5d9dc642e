using PipeChat.Server.Hosting;

namespace PipeChat.Server.Tests.Hosting;

/// <summary>The API and HTTP endpoint settings refuse bad values at start-up, naming the setting.</summary>
public sealed class ApiSettingsTests
{
    [Theory]
    [InlineData("--api-key", "short")]
    [InlineData("--api-key", "has a space in it, long enough")]
    [InlineData("--api-max-body-bytes", "10")]
    [InlineData("--api-max-body-bytes", "lots")]
    [InlineData("--http-port", "70000")]
    [InlineData("--http-port", "web")]
    [InlineData("--http-bind", "everywhere")]
    public void Bad_api_settings_stop_start_up_naming_the_setting(string flag, string value)
    {
        var error = Assert.Throws<ConfigurationException>(() => PipeChatHost.Build(["--port", "0", flag, value]));

        Assert.Contains(flag, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_http_port_must_differ_from_the_websocket_port()
    {
        var error = Assert.Throws<ConfigurationException>(() => PipeChatHost.Build(["--port", "3001", "--http-port", "3001"]));

        Assert.Contains("--http-port", error.Message, StringComparison.Ordinal);
    }
}
