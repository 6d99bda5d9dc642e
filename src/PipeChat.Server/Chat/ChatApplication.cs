using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PipeChat.Protocol.Chat;
using PipeChat.Protocol.Framing;
using PipeChat.Protocol.Handshake;
using PipeChat.Server.Auth;
using PipeChat.Server.Buffers;
using PipeChat.Server.Connections;
using PipeChat.Server.Hosting;
using PipeChat.Server.Rooms;
using PipeChat.Server.ScaleOut;

namespace PipeChat.Server.Chat;

/// <summary>
/// The chat protocol (docs/protocol.md) on top of WebSocket sessions: identity at the
/// handshake, then join/leave/room/notice/broadcast/query/ping requests. Every request is
/// handled synchronously on the sender's read loop; fan-out only enqueues shared frames.
/// </summary>
internal sealed partial class ChatApplication : IWebSocketApplication, IDisposable
{
    private readonly ServerOptions _options;
    private readonly TokenValidator? _tokens;
    private readonly string[] _allowedOrigins;
    private readonly IBackplane _backplane;
    private readonly Timer _sweeper;
    private readonly RedisScaleOut? _redis;
    private static readonly TimeSpan SweepPeriod = TimeSpan.FromSeconds(10);

    public ChatApplication(ServerOptions options, ILoggerFactory? loggerFactory = null)
    {
        _options = options;
        _tokens = options.AuthSecret is { } secret ? new TokenValidator(secret, options.AuthIssuer, options.AuthAudience) : null;
        _allowedOrigins = (options.AllowedOrigins ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Rooms = new RoomRegistry(new RoomRegistryOptions { MaxMembersPerRoom = options.MaxRoomMembers });
        Users = new UserDirectory();
        Channels = new RoomChannels(options.HistorySize, (long)(options.HistorySeconds * 1000), options.Redis is null ? null : Rooms);
        _backplane = LocalBackplane.Instance;
        if (options.Redis is not null)
        {
            _redis = new RedisScaleOut(options, (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("PipeChat.ScaleOut"), Channels, Rooms, Users)
            {
                DisconnectRequested = (userId, connection, reason) => DisconnectLocal(userId, connection, reason),
            };
        }

        _sweeper = new Timer(static s => ((ChatApplication)s!).Sweep(), this, SweepPeriod, SweepPeriod);
    }

    public RoomRegistry Rooms { get; }

    /// <summary>Each room id's seq, epoch and history.</summary>
    public RoomChannels Channels { get; }

    public UserDirectory Users { get; }

    /// <summary>With --redis: whether Redis is unreachable (the node serves local traffic only).</summary>
    public bool Degraded => _redis is { IsReady: false };

    /// <summary>Connects to Redis when configured (returns even when it is down: it keeps retrying).</summary>
    public void Start() => _redis?.Start();

    public void Dispose()
    {
        _sweeper.Dispose();
        _redis?.Dispose();
    }

    private void Sweep() => Channels.Sweep(Environment.TickCount64, id => Rooms.TryGetRoom(id, out _));

    public (string Name, string Help, long Value)[] Gauges() => _redis is null
        ?
        [
            ("pipechat_rooms", "rooms with at least one member", Rooms.RoomCount),
            ("pipechat_room_channels", "room ids whose seq and history are kept", Channels.Count),
            ("pipechat_users_online", "distinct user ids connected", Users.TotalUsers),
            ("pipechat_chat_connections", "connections registered with the chat layer", Users.TotalConnections),
        ]
        :
        [
            ("pipechat_rooms", "rooms with at least one member", Rooms.RoomCount),
            ("pipechat_room_channels", "room ids whose seq and history are kept", Channels.Count),
            ("pipechat_users_online", "distinct user ids connected", Users.TotalUsers),
            ("pipechat_chat_connections", "connections registered with the chat layer", Users.TotalConnections),
            ("pipechat_redis_connected", "1 while Redis (the scale-out backplane) is reachable, 0 while this node serves local traffic only", _redis.IsConnected ? 1 : 0),
        ];

    public bool TryAccept(in HandshakeRequest request, ConnectionContext connection, out AcceptDecision decision, out HandshakeError error)
    {
        decision = default;
        if (_allowedOrigins.Length > 0 && !request.Origin.IsEmpty && !IsAllowedOrigin(request.Origin))
        {
            error = new HandshakeError(403, "origin not allowed");
            return false;
        }

        if (_tokens is not null)
        {
            // With auth on, the id comes only from the token; any id in the URL is ignored.
            string? token = null;
            if (request.TryGetQueryParameter("token"u8, out var rawToken))
            {
                token = DecodeQueryValue(rawToken);
            }
            else if (request.TryGetHeader("Authorization"u8, out var authorization)
                && authorization.Length > 7 && Ascii.EqualsIgnoreCase(authorization[..7], "Bearer "u8))
            {
                token = Encoding.ASCII.GetString(authorization[7..].Trim((byte)' '));
            }

            decision = new AcceptDecision(null, token ?? "");
            error = default;
            return true;
        }

        string? userId = null;
        if (request.TryGetQueryParameter("id"u8, out var rawId))
        {
            if (!UserIdRules.TryDecode(rawId, out userId))
            {
                error = new HandshakeError(400, "invalid id: use 1-64 characters of A-Z a-z 0-9 _ . @ : -");
                return false;
            }
        }
        else if (!UserIdRules.TryGetFromPath(request.Path, out userId))
        {
            error = new HandshakeError(400, request.Path.Length <= 1
                ? "missing id: connect to /<id> or ?id=<id>"
                : "invalid id: use 1-64 characters of A-Z a-z 0-9 _ . @ : -");
            return false;
        }

        if (Users.ConnectionCount(userId) >= _options.MaxConnectionsPerUser)
        {
            error = new HandshakeError(429, "too many connections for this user id");
            return false;
        }

        decision = new AcceptDecision(userId, null);
        error = default;
        return true;
    }

    public async ValueTask<(string? UserId, HandshakeError Error)> CompleteAcceptAsync(AcceptDecision decision)
    {
        var outcome = await _tokens!.ValidateAsync(decision.Token);
        if (!outcome.IsValid)
        {
            return (null, new HandshakeError(401, TokenFailureReason(outcome.Failure)));
        }

        if (Users.ConnectionCount(outcome.UserId) >= _options.MaxConnectionsPerUser)
        {
            return (null, new HandshakeError(429, "too many connections for this user id"));
        }

        return (outcome.UserId, default);
    }

    public void OnOpen(IWebSocketConnection session)
    {
        var state = new ChatConnectionState(_options.RateLimitPerSecond, _options.RateLimitBurst);
        session.ApplicationState = state;
        var added = Users.TryAdd(session, _options.MaxConnectionsPerUser);
        if (added == UserAddStatus.LimitReached)
        {
            session.RequestClose(WebSocketCloseCodes.PolicyViolation, "too many connections for this user id"u8);
            return;
        }

        state.Registered = true;
        if (_redis is not null)
        {
            _redis.CountUser(session.UserId, 1);
            if (added == UserAddStatus.CameOnline)
            {
                _redis.UserChanged(session.UserId);
            }
        }

        var frame = SharedFrame.Rent(96 + session.UserId.Length);
        ChatMessageWriter.WriteWelcome(frame, session.UserId, session.ConnectionId);
        SendAndRelease(session, frame);
    }

    public void OnClose(IWebSocketConnection session)
    {
        if (session.ApplicationState is not ChatConnectionState state)
        {
            return;
        }

        if (state.Tail is { IsCompleted: false } tail)
        {
            // A request still waits on Redis: leave once it is done (a join may still add a room).
            state.Tail = tail.ContinueWith(static (_, s) =>
            {
                var (application, session, state) = ((ChatApplication, IWebSocketConnection, ChatConnectionState))s!;
                application.Close(session, state);
            }, (this, session, state), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            return;
        }

        Close(session, state);
    }

    private void Close(IWebSocketConnection session, ChatConnectionState state)
    {
        foreach (var room in state.Rooms)
        {
            LeaveRoom(session, room);
        }

        state.Rooms.Clear();
        if (state.Registered)
        {
            var removed = Users.Remove(session);
            if (_redis is not null && removed != UserRemoveStatus.NotFound)
            {
                _redis.CountUser(session.UserId, -1);
                if (removed == UserRemoveStatus.WentOffline)
                {
                    _redis.UserChanged(session.UserId);
                }
            }
        }
    }

    private static string TokenFailureReason(TokenFailure failure) => failure switch
    {
        TokenFailure.Missing => "missing token: pass ?token=<jwt> or Authorization: Bearer <jwt>",
        TokenFailure.Expired => "token expired",
        TokenFailure.NotYetValid => "token not yet valid",
        TokenFailure.NoExpiration => "token has no exp claim",
        TokenFailure.BadSignature => "token signature invalid",
        TokenFailure.BadAlgorithm => "token algorithm must be HS256",
        TokenFailure.BadSubject => "token sub is not a valid user id",
        TokenFailure.BadIssuer => "token issuer not accepted",
        TokenFailure.BadAudience => "token audience not accepted",
        _ => "token invalid",
    };

    private static string? DecodeQueryValue(ReadOnlySpan<byte> raw)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(raw.Length);
        try
        {
            return HandshakeRequest.TryPercentDecode(raw, buffer, out var written)
                ? Encoding.UTF8.GetString(buffer, 0, written)
                : null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private bool IsAllowedOrigin(ReadOnlySpan<byte> origin)
    {
        Span<char> chars = stackalloc char[Math.Min(origin.Length, 512)];
        if (origin.Length > chars.Length)
        {
            return false;
        }

        var count = Encoding.ASCII.GetChars(origin, chars);
        foreach (var allowed in _allowedOrigins)
        {
            if (chars[..count].Equals(allowed, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static void SendAndRelease(IRoomMember connection, SharedFrame frame)
    {
        frame.Seal(WebSocketOpcode.Text);
        connection.TrySend(frame);
        frame.Release();
    }
}
