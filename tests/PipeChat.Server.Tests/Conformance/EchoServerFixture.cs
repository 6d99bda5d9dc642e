using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Conformance;

/// <summary>One in-process server with the echo endpoint on /echo, shared by a conformance test class.</summary>
public sealed class EchoServerFixture : IAsyncLifetime
{
    /// <summary>The message size limit the server runs with: 1 MiB is allowed, one byte more is 1009.</summary>
    public const int MaxMessageBytes = 1024 * 1024;

    private TestServer? _server;

    public int Port => (_server ?? throw new InvalidOperationException("server not started")).Port;

    public async Task InitializeAsync()
        => _server = await TestServer.StartAsync(
            "--echo-path", "/echo",
            "--max-message-bytes", MaxMessageBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    internal Task<RawWebSocketClient> ConnectAsync(TimeSpan? timeout = null) => RawWebSocketClient.ConnectAsync(Port, "/echo", timeout);
}
