using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Conformance;

/// <summary>
/// A server with the echo endpoint and a one-second handshake timeout, for the opening-handshake
/// cases, on PipeChat's lean transport (<see cref="KestrelHandshakeServerFixture"/>: on Kestrel's).
/// </summary>
public class HandshakeServerFixture : IAsyncLifetime
{
    private TestServer? _server;

    public int Port => (_server ?? throw new InvalidOperationException("server not started")).Port;

    public async Task InitializeAsync()
        => _server = await TestServer.StartAsync("--transport", Transport, "--echo-path", "/echo", "--handshake-timeout-seconds", "1");

    /// <summary>The <c>--transport</c> the server runs with.</summary>
    public virtual string Transport => "pipechat";

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
