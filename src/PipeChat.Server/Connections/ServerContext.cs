using Microsoft.Extensions.Logging;
using PipeChat.Server.Configuration;
using PipeChat.Server.Diagnostics;

namespace PipeChat.Server.Connections;

/// <summary>What every session shares: options, metrics, logging, the live-session registry and the applications.</summary>
internal sealed class ServerContext
{
    public ServerContext(ServerOptions options, ServerMetrics metrics, ILogger logger, SessionRegistry sessions, IWebSocketApplication chat)
    {
        Options = options;
        Metrics = metrics;
        Logger = logger;
        Sessions = sessions;
        Chat = chat;
        Echo = new EchoApplication();
        EchoPath = options.EchoPath is { } echo ? System.Text.Encoding.UTF8.GetBytes(echo) : null;
        Deflate = options.PermessageDeflate
            ? Compression.DeflateCodec.TryCreate(options.DeflateThresholdBytes, options.DeflateLevel, options.DeflateWindowBits, logger)
            : null;
        if (Deflate is { } codec)
        {
            metrics.DeflateCounts = () => (codec.MessagesCompressed, codec.MessagesIncompressible);
        }
        TrustedProxies = Configuration.TrustedProxies.TryParse(options.TrustedProxies, out var proxies, out _) ? proxies : Configuration.TrustedProxies.None;
        HandshakeTimeoutMs = (long)(options.HandshakeTimeoutSeconds * 1000);
        PingIntervalMs = (long)(options.PingIntervalSeconds * 1000);
        CloseTimeoutMs = (long)(options.CloseTimeoutSeconds * 1000);
    }

    public ServerOptions Options { get; }

    public ServerMetrics Metrics { get; }

    public ILogger Logger { get; }

    public SessionRegistry Sessions { get; }

    public IWebSocketApplication Chat { get; }

    public IWebSocketApplication Echo { get; }

    /// <summary>permessage-deflate (compressors, settings), or null when the extension is off.</summary>
    public Compression.DeflateCodec? Deflate { get; }

    /// <summary>The echo endpoint's path as bytes (compared with the request path), or null when off.</summary>
    public byte[]? EchoPath { get; }

    /// <summary>Peers whose X-Forwarded-For / X-Real-IP name the client (<c>--trusted-proxies</c>); empty by default.</summary>
    public TrustedProxies TrustedProxies { get; }

    public long HandshakeTimeoutMs { get; }

    public long PingIntervalMs { get; }

    public long CloseTimeoutMs { get; }

    /// <summary>Whether the node runs degraded (with --redis: Redis unreachable, local traffic only); /healthz says so.</summary>
    public Func<bool>? Degraded { get; set; }

    /// <summary>Set once shutdown has begun: new upgrades are refused with 503.</summary>
    public volatile bool ShuttingDown;
}
