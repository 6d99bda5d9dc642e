using System.Text.Json;
using PipeChat.Server.Configuration;
using PipeChat.Server.Hosting;
using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Hosting;

/// <summary><c>--log-format json</c> writes one JSON object per line; <c>--log-level</c> sets how much PipeChat logs.</summary>
public sealed class LoggingSettingsTests
{
    [Fact]
    public async Task Json_format_writes_one_object_per_line_with_a_utc_timestamp()
    {
        using var server = await ServerProcess.StartAsync(null, "--http-port", "0", "--log-format", "json");
        var line = await server.WaitForLineAsync("Runtime knobs");

        using var entry = JsonDocument.Parse(line);
        var root = entry.RootElement;
        Assert.Equal("Information", root.GetProperty("LogLevel").GetString());
        Assert.StartsWith("PipeChat", root.GetProperty("Category").GetString(), StringComparison.Ordinal);
        Assert.Contains("Runtime knobs", root.GetProperty("Message").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("Z", root.GetProperty("Timestamp").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Debug_level_logs_a_refused_handshake_and_warning_level_hides_start_up_information()
    {
        using (var debug = await ServerProcess.StartAsync(null, "--http-port", "0", "--log-level", "debug"))
        {
            // An upgrade without Sec-WebSocket-Key is refused (400); at debug level it is logged.
            using var tcp = new System.Net.Sockets.TcpClient();
            await tcp.ConnectAsync(System.Net.IPAddress.Loopback, debug.Port);
            await tcp.GetStream().WriteAsync("GET /alice HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n"u8.ToArray());
            _ = await tcp.GetStream().ReadAtLeastAsync(new byte[512], 1, throwOnEndOfStream: false);
            await debug.WaitForLineAsync("refused at handshake");
        }

        using var quiet = await ServerProcess.StartAsync(null, "--http-port", "0", "--log-level", "warning");
        await quiet.WaitForLineAsync("Now listening");
        Assert.DoesNotContain(quiet.Output, line => line.Contains("Runtime knobs", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--log-level", "loud")]
    [InlineData("--log-level", "2")]
    [InlineData("--log-format", "xml")]
    public void A_bad_value_stops_the_start_up_naming_the_setting(string flag, string value)
    {
        var error = Assert.Throws<ConfigurationException>(() => PipeChatHost.Build(["--port", "0", flag, value]));
        Assert.Contains(flag, error.Message, StringComparison.Ordinal);
    }
}
