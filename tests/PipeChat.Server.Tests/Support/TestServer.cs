namespace PipeChat.Server.Tests.Support;

/// <summary>A PipeChat server running in-process on a free loopback port.</summary>
public sealed class TestServer : IAsyncDisposable
{
    private TestServer()
    {
    }

    /// <summary>The port the server listens on.</summary>
    public int Port { get; private set; }

    /// <summary>ws:// (or wss:// when TLS args were given) URI for a path on this server.</summary>
    public Uri WebSocketUri(string pathAndQuery) => throw new NotImplementedException();

    /// <summary>Starts a server with the given extra command-line arguments (e.g. "--echo-path", "/echo").</summary>
    public static Task<TestServer> StartAsync(params string[] args) => throw new NotImplementedException();

    /// <summary>Stops the server gracefully.</summary>
    public ValueTask DisposeAsync() => throw new NotImplementedException();
}
