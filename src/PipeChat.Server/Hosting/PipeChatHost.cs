using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PipeChat.Server.Chat;
using PipeChat.Server.Connections;
using PipeChat.Server.Diagnostics;
using PipeChat.Server.Http;
using PipeChat.Server.Http.Admin;
using PipeChat.Server.Http.Api;
using PipeChat.Server.Transport;

namespace PipeChat.Server.Hosting;

/// <summary>
/// Builds the PipeChat server: one WebApplication on Kestrel with two endpoints, the WebSocket
/// port (PipeChat's own connection handler) and the HTTP port (ASP.NET Core's HTTP pipeline:
/// server API, /metrics, /healthz, web demo).
/// </summary>
public static class PipeChatHost
{
    /// <summary>Builds (does not start) the server from command-line arguments, environment and appsettings.json.</summary>
    /// <exception cref="ConfigurationException">A setting has a bad value.</exception>
    public static WebApplication Build(string[] args, Action<ILoggingBuilder>? configureLogging = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        OptionsLoader.AddPipeChatSources(builder.Configuration, args);
        var options = OptionsLoader.Load(builder.Configuration);
        // Kestrel opens a logging scope per connection, kept for the connection's life (≈ 150 bytes
        // each with its async-local state), whenever its category is enabled at all. PipeChat's
        // handler logs its own connection events and never throws into Kestrel, so Kestrel's
        // categories are off; a PipeChat:… or Logging:… setting cannot turn them back on.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel", LogLevel.None);
        builder.Logging.AddFilter("PipeChat", Enum.Parse<LogLevel>(options.LogLevel, ignoreCase: true));
        if (options.LogFormat == "json")
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(json =>
            {
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }

        configureLogging?.Invoke(builder.Logging);

        var certificate = options.TlsCert is null ? null : ReloadingCertificate.Load(options.TlsCert, options.TlsKey!);
        builder.Services.AddSingleton(options);
        var metrics = new ServerMetrics();
        builder.Services.AddSingleton(metrics);
        builder.Services.AddPipeChatMetrics(metrics);
        builder.Services.AddSingleton<SessionRegistry>();
        builder.Services.AddSingleton<ChatApplication>();
        builder.Services.AddSingleton(sp => new ServerContext(
            options,
            sp.GetRequiredService<ServerMetrics>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("PipeChat"),
            sp.GetRequiredService<SessionRegistry>(),
            sp.GetRequiredService<ChatApplication>()));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(options.ShutdownTimeoutSeconds + options.CloseTimeoutSeconds));

        // A burst of connects (a live stream starting, a node failing over) must not overflow the
        // accept queue: Kestrel's default backlog of 512 dropped thousands of SYNs at 10k connects.
        builder.WebHost.UseSockets(sockets => sockets.Backlog = options.ListenBacklog);
        var lean = options.Transport == "pipechat" && certificate is null;
        if (lean)
        {
            // Registered after Kestrel's sockets transport, so Kestrel binds with this one.
            builder.Services.AddSingleton<IConnectionListenerFactory>(new LeanSocketTransportFactory(options.ListenBacklog));
        }

        var endpoints = new BoundEndpoints();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            void UseTls(ListenOptions listen, bool http2)
            {
                if (certificate is not null)
                {
                    // Per handshake, the options of the certificate loaded now (made once per load).
                    listen.UseHttps(new TlsHandshakeCallbackOptions
                    {
                        OnConnection = _ => ValueTask.FromResult(certificate.OptionsFor(http2)),
                        HandshakeTimeout = TimeSpan.FromSeconds(options.HandshakeTimeoutSeconds),
                    });
                }
            }

            Listen(kestrel, options.Bind, options.Port, lean, listen =>
            {
                endpoints.WebSocket = listen;
                listen.Protocols = HttpProtocols.Http1;
                UseTls(listen, http2: false);
                listen.UseConnectionHandler<WebSocketConnectionHandler>();
            });
            if (options.HttpBind != "off")
            {
                // No connection handler: Kestrel's HTTP/1.1 (and HTTP/2 over TLS, by ALPN) into the app's pipeline.
                Listen(kestrel, options.HttpBind, options.HttpPort, lean: false, listen =>
                {
                    endpoints.Http = listen;
                    listen.Protocols = certificate is null ? HttpProtocols.Http1 : HttpProtocols.Http1AndHttp2;
                    UseTls(listen, http2: true);
                });
            }
        });

        builder.Services.AddSingleton(endpoints);
        var app = builder.Build();
        var server = app.Services.GetRequiredService<ServerContext>();
        var chatApp = app.Services.GetRequiredService<ChatApplication>();
        var api = options.ApiKey is null ? null : new ApiHandlers(options, chatApp, server.Metrics);
        var adminSeries = options.ApiKey is null ? null : new AdminSeries(server.Metrics, chatApp);
        var admin = adminSeries is null ? null : new AdminHandlers(new ApiKey(options.ApiKey!), chatApp, server.Metrics, adminSeries);
        HttpSite.Map(app, server, api, admin);

        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStarted.Register(() =>
        {
            if (options.TrimAfterConnects > 0)
            {
                server.Sessions.AfterTick = new Diagnostics.MemoryTrim(options.TrimAfterConnects, server.Metrics, server.Logger).OnTick;
            }

            // The heartbeat drives pings and the close timeout (handshake deadlines have their own
            // 100 ms check): a quarter of the shorter of the two, between 100 ms and 1 s.
            server.Sessions.Start(TimeSpan.FromMilliseconds(Math.Clamp(Math.Min(options.PingIntervalSeconds, options.CloseTimeoutSeconds) * 250, 100, 1000)));
            // With port 0 the options learn the ports bound (the WebSocket port's 404 and /config.json name them).
            options.Port = endpoints.WebSocket?.IPEndPoint?.Port ?? options.Port;
            options.HttpPort = endpoints.Http?.IPEndPoint?.Port ?? options.HttpPort;
            var chat = app.Services.GetRequiredService<ChatApplication>();
            server.Metrics.AddGauges(chat.Gauges);
            server.Metrics.QueuedBytes = () => server.Sessions.Snapshot().Sum(session => session.QueuedBytes);
            server.Degraded = () => chat.Degraded;
            chat.Start();
            Log.Listening(server.Logger, certificate is null ? "ws" : "wss", options.Bind, options.Port,
                options.EchoPath ?? "off", options.AuthSecret is null ? "off (id from the URL)" : "JWT HS256");
            WarnIfAuthOffOnOpenBind(server.Logger, options);
            if (endpoints.Http is not null)
            {
                Log.ListeningHttp(server.Logger, certificate is null ? "http" : "https", options.HttpBind, options.HttpPort, options.ApiKey is null ? "off" : "on");
            }
            RuntimeKnobs.LogEffective(server.Logger, options);
            certificate?.Watch(TimeSpan.FromSeconds(options.TlsReloadSeconds), server.Logger);
        });
        lifetime.ApplicationStopping.Register(() => BeginShutdown(server));
        lifetime.ApplicationStopped.Register(server.Sessions.Dispose);
        lifetime.ApplicationStopped.Register(() => api?.Dispose());
        lifetime.ApplicationStopped.Register(() => adminSeries?.Dispose());
        lifetime.ApplicationStopped.Register(metrics.Dispose);
        lifetime.ApplicationStopped.Register(() => certificate?.Dispose());
        return app;
    }

    /// <summary>Start-up warning: without --auth-secret the user id comes from the URL, which is fine on loopback only.</summary>
    internal static void WarnIfAuthOffOnOpenBind(ILogger logger, Configuration.ServerOptions options)
    {
        if (options.AuthSecret is null && !IsLoopbackBind(options.Bind))
        {
            Log.AuthOffOnOpenBind(logger, options.Bind);
        }
    }

    /// <summary>Whether a --bind value only listens on loopback ("loopback", 127.x, ::1, ::ffff:127.x).</summary>
    internal static bool IsLoopbackBind(string bind)
        => bind == "loopback" || (IPAddress.TryParse(bind, out var address)
            && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address));

    /// <summary>The WebSocket port actually bound (useful with --port 0), once started.</summary>
    public static int GetPort(WebApplication app) => app.Services.GetRequiredService<BoundEndpoints>().WebSocket?.IPEndPoint?.Port ?? 0;

    /// <summary>The HTTP port actually bound (useful with --http-port 0), once started; 0 with --http-bind off.</summary>
    public static int GetHttpPort(WebApplication app) => app.Services.GetRequiredService<BoundEndpoints>().Http?.IPEndPoint?.Port ?? 0;

    /// <param name="lean">Bind with PipeChat's own transport (<see cref="LeanEndPoint"/>); else Kestrel's sockets.</param>
    private static void Listen(KestrelServerOptions kestrel, string bind, int port, bool lean, Action<ListenOptions> configure)
    {
        if (lean)
        {
            var address = bind switch
            {
                "any" => IPAddress.IPv6Any, // dual mode: IPv4 too (see LeanSocketListener)
                "loopback" => IPAddress.Loopback,
                _ => IPAddress.Parse(bind),
            };
            kestrel.Listen(new LeanEndPoint(address, port), configure);
            return;
        }

        switch (bind)
        {
            case "any":
                kestrel.ListenAnyIP(port, configure);
                break;
            case "loopback":
                kestrel.Listen(IPAddress.Loopback, port, configure);
                break;
            default:
                kestrel.Listen(IPAddress.Parse(bind), port, configure);
                break;
        }
    }

    private static void BeginShutdown(ServerContext server)
    {
        server.ShuttingDown = true;
        var sessions = server.Sessions.Snapshot().ToArray();
        Log.ShuttingDown(server.Logger, sessions.Length);
        foreach (var session in sessions)
        {
            session.CloseForShutdown();
        }
    }
}
