using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Conformance;

/// <summary>
/// One in-process server with the echo endpoint on /echo, shared by a conformance test class, on
/// PipeChat's lean transport (<see cref="KestrelEchoServerFixture"/>: the same on Kestrel's).
/// </summary>
public class EchoServerFixture : IAsyncLifetime
{
    /// <summary>
    /// How long the server waits for the client's close after sending its own. Longer than a case's
    /// deadline, so a server that ignores the client's close reply fails the case instead of
    /// passing once its timeout ends the connection.
    /// </summary>
    public const int CloseTimeoutSeconds = 10;

    /// <summary>The message size limit the server runs with: 1 MiB is allowed, one byte more is 1009.</summary>
    public const int MaxMessageBytes = 1024 * 1024;

    private TestServer? _server;

    public int Port => (_server ?? throw new InvalidOperationException("server not started")).Port;

    /// <summary>The <c>--transport</c> the server runs with.</summary>
    public virtual string Transport => "pipechat";

    public async Task InitializeAsync()
        => _server = await TestServer.StartAsync(
            "--transport", Transport,
            "--echo-path", "/echo",
            "--max-message-bytes", MaxMessageBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--close-timeout-seconds", CloseTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    internal Task<RawWebSocketClient> ConnectAsync(TimeSpan? timeout = null) => RawWebSocketClient.ConnectAsync(Port, "/echo", timeout);
}
