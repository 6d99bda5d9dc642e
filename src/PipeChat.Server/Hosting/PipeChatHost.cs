using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PipeChat.Server.Chat;
using PipeChat.Server.Connections;
using PipeChat.Server.Diagnostics;
using PipeChat.Server.Transport;

namespace PipeChat.Server.Hosting;

/// <summary>Builds the PipeChat server: generic host, Kestrel, and our connection handler on one port.</summary>
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
        configureLogging?.Invoke(builder.Logging);

        var certificate = options.TlsCert is null ? null : LoadCertificate(options.TlsCert, options.TlsKey!);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<ServerMetrics>();
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
        if (options.Transport == "pipechat" && certificate is null)
        {
            // Registered after Kestrel's sockets transport, so Kestrel binds with this one.
            builder.Services.AddSingleton<IConnectionListenerFactory>(new LeanSocketTransportFactory(options.ListenBacklog));
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            void Configure(ListenOptions listen)
            {
                listen.Protocols = HttpProtocols.Http1;
                if (certificate is not null)
                {
                    listen.UseHttps(new HttpsConnectionAdapterOptions
                    {
                        ServerCertificate = certificate,
                        SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                        HandshakeTimeout = TimeSpan.FromSeconds(options.HandshakeTimeoutSeconds),
                    });
                }

                listen.UseConnectionHandler<WebSocketConnectionHandler>();
            }

            switch (options.Bind)
            {
                case "any":
                    kestrel.ListenAnyIP(options.Port, Configure);
                    break;
                case "loopback":
                    kestrel.Listen(IPAddress.Loopback, options.Port, Configure);
                    break;
                default:
                    kestrel.Listen(IPAddress.Parse(options.Bind), options.Port, Configure);
                    break;
            }
        });

        var app = builder.Build();
        var server = app.Services.GetRequiredService<ServerContext>();
        if (options.ApiKey is not null)
        {
            server.Api = new Http.Api.ServerApi(options, app.Services.GetRequiredService<ChatApplication>(), server.Metrics);
        }

        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStarted.Register(() =>
        {
            if (options.TrimAfterConnects > 0)
            {
                server.Sessions.AfterTick = new Diagnostics.MemoryTrim(options.TrimAfterConnects, server.Metrics, server.Logger).OnTick;
            }

            server.Sessions.Start(TimeSpan.FromMilliseconds(Math.Clamp(options.HandshakeTimeoutSeconds * 250, 100, 1000)));
            var chat = app.Services.GetRequiredService<ChatApplication>();
            server.Metrics.ExtraGauges = chat.Gauges;
            server.Metrics.QueuedBytes = () => server.Sessions.Snapshot().Sum(session => session.QueuedBytes);
            server.Degraded = () => chat.Degraded;
            chat.Start();
            Log.Listening(server.Logger, certificate is null ? "ws" : "wss", options.Bind, GetPort(app),
                options.EchoPath ?? "off", options.AuthSecret is null ? "off (id from the URL)" : "JWT HS256");
            RuntimeKnobs.LogEffective(server.Logger, options);
        });
        lifetime.ApplicationStopping.Register(() => BeginShutdown(server));
        lifetime.ApplicationStopped.Register(server.Sessions.Dispose);
        lifetime.ApplicationStopped.Register(() => server.Api?.Dispose());
        return app;
    }

    /// <summary>The port actually bound (useful with --port 0).</summary>
    public static int GetPort(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var first = addresses?.FirstOrDefault();
        return first is null ? 0 : new Uri(first.Replace("[::]", "localhost", StringComparison.Ordinal).Replace("0.0.0.0", "localhost", StringComparison.Ordinal)).Port;
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

    private static X509Certificate2 LoadCertificate(string certPath, string keyPath)
    {
        try
        {
            return X509Certificate2.CreateFromPemFile(certPath, keyPath);
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new ConfigurationException($"cannot load --tls-cert '{certPath}' with --tls-key '{keyPath}': {ex.Message}");
        }
    }
}
