namespace PipeChat.Server.Configuration;

/// <summary>Every setting of the server, bound from appsettings.json, PIPECHAT_* variables and flags.</summary>
public sealed class ServerOptions
{
    public int Port { get; set; } = 3001;

    /// <summary>Address to listen on: "any" (all interfaces, IPv4 and IPv6), "loopback", or an IP address.</summary>
    public string Bind { get; set; } = "any";

    /// <summary>Port of the HTTP endpoint (server API, /metrics, web demo); 0 picks a free port.</summary>
    public int HttpPort { get; set; } = 3002;

    /// <summary>Address of the HTTP endpoint: "loopback" (default), "any", an IP address, or "off" (no HTTP endpoint).</summary>
    public string HttpBind { get; set; } = "loopback";

    /// <summary>Pending-connection queue of the listening socket (the kernel caps it at net.core.somaxconn).</summary>
    public int ListenBacklog { get; set; } = 4096;

    /// <summary>"pipechat": PipeChat's lean socket transport for plain ws:// (TLS always uses Kestrel's); "kestrel": Kestrel's sockets transport.</summary>
    public string Transport { get; set; } = "pipechat";

    public string? TlsCert { get; set; }

    /// <summary>Least severe level logged for PipeChat's own categories: trace, debug, information, warning, error, critical or none.</summary>
    public string LogLevel { get; set; } = "information";

    /// <summary>"text": the console's readable lines; "json": one JSON object per line (UTC timestamps) for log collectors.</summary>
    public string LogFormat { get; set; } = "text";

    public string? TlsKey { get; set; }

    /// <summary>How often the TLS files are checked for a renewed certificate, in seconds; 0: never (loaded once at start-up).</summary>
    public int TlsReloadSeconds { get; set; } = 30;

    /// <summary>When set, a path that echoes every message back (conformance testing).</summary>
    public string? EchoPath { get; set; }

    /// <summary>Largest WebSocket message (all fragments together); larger → close 1009.</summary>
    public long MaxMessageBytes { get; set; } = 1024 * 1024;

    public int MaxRequestHeaderBytes { get; set; } = 8 * 1024;

    /// <summary>Whether permessage-deflate (RFC 7692) is accepted when a client offers it.</summary>
    public bool PermessageDeflate { get; set; } = true;

    /// <summary>With permessage-deflate: payloads shorter than this go uncompressed.</summary>
    public int DeflateThresholdBytes { get; set; } = 256;

    /// <summary>zlib compression level 1 (fastest) to 9 (smallest).</summary>
    public int DeflateLevel { get; set; } = 6;

    /// <summary>LZ77 window of compressed frames, and the largest asked of clients that offer to limit theirs (8–15).</summary>
    public int DeflateWindowBits { get; set; } = 15;

    public double HandshakeTimeoutSeconds { get; set; } = 10;

    /// <summary>Idle time before the server pings; a peer silent for two intervals is dropped.</summary>
    public double PingIntervalSeconds { get; set; } = 25;

    /// <summary>How long to wait for the peer's close frame after sending ours.</summary>
    public double CloseTimeoutSeconds { get; set; } = 5;

    /// <summary>Outbound bytes queued for one connection before it is closed as a slow consumer (1008).</summary>
    public long MaxQueuedBytes { get; set; } = 256 * 1024;

    /// <summary>
    /// Soft limit of a member's unread bytes in one room: past it the member skips low-priority
    /// messages, past twice it normal ones too, and is told what it skipped; 0 turns thinning off
    /// (a member past <see cref="MaxQueuedBytes"/> is then closed whatever it was sent).
    /// </summary>
    public long ThinAfterBytes { get; set; } = 64 * 1024;

    /// <summary>Room messages per second one room takes (low dropped first, then normal; high never); 0: no cap. The server API can set a room's own.</summary>
    public double RoomMaxRate { get; set; }

    /// <summary>Share (0 to 1) of a capped room's rate kept for high-priority messages.</summary>
    public double RoomHighShare { get; set; } = 0.2;

    /// <summary>Milliseconds between two updates of one room counter (increments in between are coalesced).</summary>
    public int CounterIntervalMs { get; set; } = 1000;

    /// <summary>Time given to clients to close after the 1001 sent on shutdown.</summary>
    public double ShutdownTimeoutSeconds { get; set; } = 10;

    /// <summary>HS256 secret; when set, clients must present a JWT.</summary>
    public string? AuthSecret { get; set; }

    public string? AuthIssuer { get; set; }

    public string? AuthAudience { get; set; }

    /// <summary>Comma-separated Origin allow-list; empty allows every origin.</summary>
    public string? AllowedOrigins { get; set; }

    public int MaxConnectionsPerUser { get; set; } = 10;

    public int MaxRoomsPerConnection { get; set; } = 100;

    public int MaxRoomMembers { get; set; } = 100_000;

    /// <summary>Above this many members a room sends no per-member join/leave events.</summary>
    public int PresenceLimit { get; set; } = 1000;

    /// <summary>Most member ids returned by a room query.</summary>
    public int QueryMaxMembers { get; set; } = 100;

    /// <summary>Largest JSON chat payload (the whole request); larger → error too_large.</summary>
    public int MaxChatPayloadBytes { get; set; } = 64 * 1024;

    /// <summary>Chat requests one connection may send per second on average (token bucket); 0 turns the limit off.</summary>
    public double RateLimitPerSecond { get; set; } = 100;

    /// <summary>Requests one connection may send in a burst; this many refused in a row closes it with 1008.</summary>
    public int RateLimitBurst { get; set; } = 200;

    /// <summary>Simultaneous TCP connections from one IP address (0: no limit).</summary>
    public int MaxConnectionsPerIp { get; set; } = 1000;

    /// <summary>Comma-separated addresses and CIDRs of reverse proxies whose X-Forwarded-For / X-Real-IP name the client (see <see cref="Configuration.TrustedProxies"/>).</summary>
    public string? TrustedProxies { get; set; }

    /// <summary>Room messages kept per room for resume and history paging (0 keeps none).</summary>
    public int HistorySize { get; set; } = 100;

    /// <summary>Age after which kept room messages are dropped; also how long an empty room's seq and history outlive it.</summary>
    public double HistorySeconds { get; set; } = 3600;

    /// <summary>Whether clients may send "broadcast" to everyone.</summary>
    public bool AllowBroadcast { get; set; }

    /// <summary>Whether a client may send to a room it has not joined.</summary>
    public bool AllowSendWithoutJoin { get; set; }

    /// <summary>Sensitive-word list file: UTF-8, one word or phrase a line, read again when it changes (off unless set).</summary>
    public string? WordList { get; set; }

    /// <summary>What a member's room message holding a listed word gets: mask (each matched character becomes *) or block (error rejected).</summary>
    public string WordAction { get; set; } = "mask";

    /// <summary>URL of the app backend's publish hook, asked about every member's room message before it gets its seq (off unless set).</summary>
    public string? PublishHook { get; set; }

    /// <summary>Time the publish hook has to answer, in milliseconds.</summary>
    public int PublishHookTimeoutMs { get; set; } = 1000;

    /// <summary>What happens to a room message when the hook fails (unreachable, too slow, a bad answer): closed refuses it, open lets it through.</summary>
    public string PublishHookFailure { get; set; } = "closed";

    /// <summary>Redis "host:port" (or a StackExchange.Redis configuration string); when set, nodes share rooms, users, presence and history through it.</summary>
    public string? Redis { get; set; }

    /// <summary>With Redis: a node that stops heartbeating (crashed) disappears from presence after this long.</summary>
    public double RedisPresenceSeconds { get; set; } = 15;

    /// <summary>With Redis: a room message is acknowledged only once this many replicas of its master have it (WAIT); 0: once the master has it.</summary>
    public int RedisWaitReplicas { get; set; }

    /// <summary>When a connection drops, room members see its leave only if its user has not joined the room again (on any node) within this time; 0: at once.</summary>
    public double PresenceGraceSeconds { get; set; } = 10;

    /// <summary>Key app backends present to the server API (/api/*, docs/api.md); the API is off when unset.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Largest server API request body; larger gets 413.</summary>
    public int ApiMaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>After this many accepted connections, once the node is quiet for 2 s, one compacting collection returns the burst's free heap space to the OS (0: off).</summary>
    public int TrimAfterConnects { get; set; } = 10_000;

    /// <summary>
    /// Socket completions run on the runtime's socket event threads (applied in Main, before any
    /// socket exists, see <c>Hosting/InlineSocketCompletions</c>); an explicit
    /// DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS in the environment wins.
    /// </summary>
    public bool InlineSocketCompletions { get; set; } = true;
}
