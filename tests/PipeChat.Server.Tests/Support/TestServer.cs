using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using PipeChat.Server.Hosting;

namespace PipeChat.Server.Tests.Support;

/// <summary>A PipeChat server running in-process on a free loopback port.</summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly bool _tls;

    private TestServer(WebApplication app, int port, bool tls)
    {
        _app = app;
        Port = port;
        _tls = tls;
        HttpPort = PipeChatHost.GetHttpPort(app);
    }

    /// <summary>The HTTP port (server API, /metrics, web demo), a free one.</summary>
    public int HttpPort { get; }

    /// <summary>http:// (or https:// with TLS) URI for a path on the HTTP port.</summary>
    public Uri HttpUri(string pathAndQuery) => new($"{(_tls ? "https" : "http")}://127.0.0.1:{HttpPort}{pathAndQuery}");

    /// <summary>The port the server listens on.</summary>
    public int Port { get; }

    /// <summary>The running host's services (for tests that inspect state).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>ws:// (or wss:// when TLS args were given) URI for a path on this server.</summary>
    public Uri WebSocketUri(string pathAndQuery)
        => new($"{(_tls ? "wss" : "ws")}://127.0.0.1:{Port}{(pathAndQuery.StartsWith('/') ? "" : "/")}{pathAndQuery}");

    /// <summary>Starts a server with the given extra command-line arguments (e.g. "--echo-path", "/echo").</summary>
    public static async Task<TestServer> StartAsync(params string[] args)
    {
        // Leaves at once unless a test asks for a grace (--presence-grace-seconds, 10 s in production): most tests watch a closed connection leave.
        string[] all = ["--port", "0", "--bind", "127.0.0.1", "--http-port", "0", "--presence-grace-seconds", "0", .. args];
        var app = PipeChatHost.Build(all, logging =>
        {
            logging.ClearProviders();
            logging.AddSimpleConsole();
            logging.SetMinimumLevel(LogLevel.Warning);
        });
        await app.StartAsync();
        return new TestServer(app, PipeChatHost.GetPort(app), args.Contains("--tls-cert"));
    }

    /// <summary>Stops the server gracefully (clients get 1001).</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
