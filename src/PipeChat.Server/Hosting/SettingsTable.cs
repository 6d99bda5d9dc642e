using PipeChat.Server.Configuration;
namespace PipeChat.Server.Hosting;

/// <summary>One setting: its option name, command-line flag, environment variable and help text.</summary>
internal sealed record Setting(string Name, string Help)
{
    /// <summary>"--max-message-bytes" for "MaxMessageBytes".</summary>
    public string Flag { get; } = "--" + ToKebab(Name);

    /// <summary>"PIPECHAT_MAX_MESSAGE_BYTES" for "MaxMessageBytes".</summary>
    public string EnvironmentVariable { get; } = "PIPECHAT_" + ToKebab(Name).Replace('-', '_').ToUpperInvariant();

    /// <summary>"PipeChat:MaxMessageBytes", the key in appsettings.json.</summary>
    public string ConfigKey { get; } = "PipeChat:" + Name;

    private static string ToKebab(string name)
    {
        var builder = new System.Text.StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c) && i > 0)
            {
                builder.Append('-');
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }
}

/// <summary>The table of every setting; README's config table is generated from the same names.</summary>
internal static class SettingsTable
{
    public static readonly Setting[] All =
    [
        new(nameof(ServerOptions.Port), "TCP port for ws:// (or wss:// with TLS) and a plain GET /healthz for load balancers"),
        new(nameof(ServerOptions.Bind), "listen address: any, loopback, or an IP address"),
        new(nameof(ServerOptions.HttpPort), "TCP port of the HTTP endpoint: server API (/api/), /metrics, /healthz and the web demo; HTTP/1.1, or HTTP/1.1 and HTTP/2 with TLS (--tls-cert); 0: a free port"),
        new(nameof(ServerOptions.HttpBind), "listen address of the HTTP endpoint: loopback, any, an IP address, or off (no HTTP endpoint)"),
        new(nameof(ServerOptions.ListenBacklog), "listen backlog: connections the kernel queues before they are accepted (bursts of connects)"),
        new(nameof(ServerOptions.Transport), "the WebSocket port's socket transport: pipechat (lean, frames sent straight from shared buffers) or kestrel (Kestrel's sockets transport); TLS and the HTTP port always use kestrel"),
        new(nameof(ServerOptions.LogLevel), "least severe level logged by PipeChat: trace, debug (adds each refused handshake, protocol error and timeout), information, warning, error, critical or none"),
        new(nameof(ServerOptions.LogFormat), "console log format: text, or json (one object per line, UTC timestamps, for log collectors)"),
        new(nameof(ServerOptions.TlsCert), "PEM certificate (chain) file; with --tls-key the port serves wss:// (TLS 1.2+)"),
        new(nameof(ServerOptions.TlsKey), "PEM private key file for --tls-cert"),
        new(nameof(ServerOptions.TlsReloadSeconds), "how often, in seconds, the --tls-cert and --tls-key files are read for a renewed certificate, served from then on without a restart (open connections keep theirs); 0: never"),
        new(nameof(ServerOptions.EchoPath), "path that echoes every message back, for conformance tests (off unless set)"),
        new(nameof(ServerOptions.MaxMessageBytes), "largest WebSocket message in bytes; larger closes with 1009"),
        new(nameof(ServerOptions.MaxRequestHeaderBytes), "largest HTTP upgrade request head; larger gets 431"),
        new(nameof(ServerOptions.PermessageDeflate), "accept permessage-deflate compression (RFC 7692) when a client offers it (true/false)"),
        new(nameof(ServerOptions.DeflateThresholdBytes), "with permessage-deflate: messages shorter than this are sent uncompressed"),
        new(nameof(ServerOptions.DeflateLevel), "with permessage-deflate: zlib level, 1 (fastest) to 9 (smallest)"),
        new(nameof(ServerOptions.DeflateWindowBits), "with permessage-deflate: LZ77 window bits (8-15) of compressed frames and asked of clients"),
        new(nameof(ServerOptions.HandshakeTimeoutSeconds), "time allowed to complete the HTTP upgrade"),
        new(nameof(ServerOptions.PingIntervalSeconds), "idle time before the server pings; silent for 2 intervals drops the peer"),
        new(nameof(ServerOptions.CloseTimeoutSeconds), "wait for the peer's close frame before dropping TCP"),
        new(nameof(ServerOptions.MaxQueuedBytes), "outbound bytes a connection may fall behind: its own queued frames (plus 16 bytes each), and separately each room's unread messages; past it the connection is closed as a slow consumer (1008) and reconnects to resume from history; with --thin-after-bytes on, a member behind in a room is thinned instead and closed only when its unsent high-priority messages alone pass it"),
        new(nameof(ServerOptions.ThinAfterBytes), "a member more than this many bytes behind in a room skips its low-priority messages, more than twice this its normal ones too, and gets skipped events naming what it missed (docs/protocol.md); 0: off (no thinning: a member past --max-queued-bytes is closed)"),
        new(nameof(ServerOptions.RoomMaxRate), "room messages per second one room takes; over it low-priority messages are dropped first, then normal, never high; a dropped message gets no seq and its sender an ack with dropped:true; the server API sets a room's own (/api/room-rate); 0: no cap"),
        new(nameof(ServerOptions.RoomHighShare), "with a room rate: share (0 to 1) of it kept for high-priority messages (low and normal never take the last of it)"),
        new(nameof(ServerOptions.CounterIntervalMs), "room counters (count requests: likes): each counter's value goes to the room at most once per this many milliseconds, however many increments arrived"),
        new(nameof(ServerOptions.ShutdownTimeoutSeconds), "time clients get to close after the 1001 sent at shutdown"),
        new(nameof(ServerOptions.AuthSecret), "HS256 JWT secret (32+ bytes); when set, clients must present a token"),
        new(nameof(ServerOptions.AuthIssuer), "required JWT issuer (iss), optional"),
        new(nameof(ServerOptions.AuthAudience), "required JWT audience (aud), optional"),
        new(nameof(ServerOptions.AllowedOrigins), "comma-separated Origin allow-list (empty: any origin)"),
        new(nameof(ServerOptions.MaxConnectionsPerUser), "simultaneous connections one user id may hold"),
        new(nameof(ServerOptions.MaxRoomsPerConnection), "rooms one connection may join"),
        new(nameof(ServerOptions.MaxRoomMembers), "members one room may hold"),
        new(nameof(ServerOptions.PresenceLimit), "above this room size no per-member join/leave events are sent"),
        new(nameof(ServerOptions.QueryMaxMembers), "most member ids a room query returns"),
        new(nameof(ServerOptions.MaxChatPayloadBytes), "largest chat request in bytes; larger gets error too_large"),
        new(nameof(ServerOptions.RateLimitPerSecond), "chat requests per second per connection (token bucket); over it: error rate_limited; 0: off"),
        new(nameof(ServerOptions.RateLimitBurst), "burst size of that bucket; this many refused in a row closes the connection (1008)"),
        new(nameof(ServerOptions.MaxConnectionsPerIp), "simultaneous connections from one IP address; more are dropped at once (0: no limit)"),
        new(nameof(ServerOptions.TrustedProxies), "comma-separated addresses and CIDRs (IPv4, IPv6) of reverse proxies; for connections from them the client address, for --max-connections-per-ip and logs, is taken from X-Forwarded-For (rightmost hop that is not a trusted proxy) or X-Real-IP (empty: headers ignored)"),
        new(nameof(ServerOptions.HistorySize), "room messages kept per room for resume and history paging (0: none)"),
        new(nameof(ServerOptions.HistorySeconds), "age limit of kept room messages; an empty room's seq and history live this long"),
        new(nameof(ServerOptions.AllowBroadcast), "whether clients may broadcast to everyone (true/false); the server API always may"),
        new(nameof(ServerOptions.AllowSendWithoutJoin), "whether clients may send to rooms they have not joined (true/false)"),
        new(nameof(ServerOptions.WordList), "sensitive-word list: a UTF-8 file, one word or phrase a line, matched case-insensitively in the strings of members' room messages and read again when it changes (off unless set)"),
        new(nameof(ServerOptions.WordAction), "with --word-list: mask (each matched character becomes *) or block (the sender gets error rejected, reason sensitive_word)"),
        new(nameof(ServerOptions.PublishHook), "URL the app backend's publish hook answers at: every member's room message is POSTed there before it gets its seq; allow, reject or replace (off unless set)"),
        new(nameof(ServerOptions.PublishHookTimeoutMs), "with --publish-hook: milliseconds the hook has to answer"),
        new(nameof(ServerOptions.PublishHookFailure), "with --publish-hook: when the hook fails (unreachable, past the timeout, a bad answer): closed (the sender gets error rejected, reason hook_unavailable) or open (the message goes through unchecked)"),
        new(nameof(ServerOptions.Redis), "Redis host:port, or several endpoints of a Redis Cluster (host:port,host:port,…), for scale-out: nodes share rooms, private messages, broadcast, presence and history (off unless set; Redis 7+)"),
        new(nameof(ServerOptions.RedisPresenceSeconds), "with --redis: a crashed node's users leave presence (online, room members) within this time"),
        new(nameof(ServerOptions.RedisWaitReplicas), "with --redis: a room message is acknowledged only once this many replicas of its Redis master have it (WAIT), so an acknowledged message survives a failover; while that cannot be promised the send gets error internal instead of being numbered locally (0: ack once the master has it)"),
        new(nameof(ServerOptions.PresenceGraceSeconds), "when a connection drops (not a leave request: a closed socket, e.g. WeChat closing a mini-program's socket in the background), room members see its leave only if its user has not joined the room again (on any node) within this time; a resume inside it shows them no leave/join pair (0: leave at once)"),
        new(nameof(ServerOptions.ApiKey), "key (16+ bytes) app backends send as Authorization: Bearer to the HTTP server API under /api/ (off unless set)"),
        new(nameof(ServerOptions.ApiMaxBodyBytes), "largest server API request body in bytes; larger gets 413"),
        new(nameof(ServerOptions.TrimAfterConnects), "memory after connect bursts (a live stream starting, a node failing over): after this many accepted connections, once the node has been quiet for 2 s (few connects, little traffic), one blocking compacting collection returns the burst's free heap space to the OS; costs one full-heap pause while quiet (docs/performance.md); 0: off"),
        new(nameof(ServerOptions.InlineSocketCompletions), "latency of many small round trips: socket completions run on the runtime's socket event threads (sets DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 at start-up); costs fairness when one huge room saturates a small box (p99, docs/performance.md); false: off; an explicit DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS wins"),
    ];
}
