using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Conformance;

/// <summary>A server with the echo endpoint and a one-second handshake timeout, for the opening-handshake cases.</summary>
public sealed class HandshakeServerFixture : IAsyncLifetime
{
    private TestServer? _server;

    public int Port => (_server ?? throw new InvalidOperationException("server not started")).Port;

    public async Task InitializeAsync()
        => _server = await TestServer.StartAsync("--echo-path", "/echo", "--handshake-timeout-seconds", "1");

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
