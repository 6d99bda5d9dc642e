using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PipeChat.Server.Configuration;
using PipeChat.Protocol.Framing;
using PipeChat.Protocol.Handshake;
using PipeChat.Server.Connections;
using PipeChat.Server.Rooms;
using PipeChat.Server.Routing;

namespace PipeChat.Server.Chat;

/// <summary>
/// The chat protocol (docs/protocol.md) on top of WebSocket sessions, put together: identity at
/// the handshake (<see cref="HandshakeIdentity"/>), connections entering and leaving
/// (<see cref="ConnectionLifecycle"/>), requests (<see cref="ChatRequestDispatcher"/> with
/// <see cref="RoomRequests"/> and <see cref="UserRequests"/>), the server API's operations
/// (<see cref="ServerApiOperations"/>) and gauges (<see cref="ChatGauges"/>), all over one
/// <see cref="IChatRouter"/> chosen at start-up. Every request is handled on the sender's read
/// loop; fan-out only enqueues shared frames.
/// </summary>
internal sealed class ChatApplication : IWebSocketApplication, IDisposable
{
    private static readonly TimeSpan SweepPeriod = TimeSpan.FromSeconds(10);

    private readonly IChatRouter _router;
    private readonly HandshakeIdentity _identity;
    private readonly ConnectionLifecycle _lifecycle;
    private readonly ChatRequestDispatcher _requests;
    private readonly ServerApiOperations _api;
    private readonly ChatGauges _gauges;
    private readonly Timer _sweeper;

    public ChatApplication(ServerOptions options, ILoggerFactory? loggerFactory = null)
    {
        Rooms = new RoomRegistry(new RoomRegistryOptions { MaxMembersPerRoom = options.MaxRoomMembers });
        Users = new UserDirectory();
        Channels = new RoomChannels(options.HistorySize, (long)(options.HistorySeconds * 1000));
        var settings = new RoutingSettings(options.HistorySize, options.HistorySeconds, options.PresenceLimit, options.QueryMaxMembers, options.PresenceGraceSeconds);
        var users = Users;
        _router = RouterChoice.Create(
            options,
            new LocalRouter(settings, Rooms, Channels, Users),
            loggerFactory ?? NullLoggerFactory.Instance,
            (userId, connection, reason) => ServerApiOperations.DisconnectLocal(users, userId, connection, reason));
        var roomRequests = new RoomRequests(options, Rooms, _router);
        var userRequests = new UserRequests(options, _router);
        _identity = new HandshakeIdentity(options, Users);
        _lifecycle = new ConnectionLifecycle(options, Users, _router);
        _requests = new ChatRequestDispatcher(options, roomRequests, userRequests);
        _api = new ServerApiOperations(Rooms, Users, roomRequests, userRequests, _router);
        _gauges = new ChatGauges(Rooms, Channels, Users, _router);
        _sweeper = new Timer(static s => ((ChatApplication)s!).Sweep(), this, SweepPeriod, SweepPeriod);
    }

    public RoomRegistry Rooms { get; }

    /// <summary>Each room id's seq, epoch and history.</summary>
    public RoomChannels Channels { get; }

    public UserDirectory Users { get; }

    /// <summary>With --redis: whether Redis is unreachable (the node serves local traffic only).</summary>
    public bool Degraded => _router.Degraded;

    /// <summary>Connects to Redis when configured (returns even when it is down: it keeps retrying).</summary>
    public void Start() => _router.Start();

    public void Dispose()
    {
        _sweeper.Dispose();
        _router.Dispose();
    }

    public (string Name, string Help, long Value)[] Gauges() => _gauges.Read();

    public bool TryAccept(in HandshakeRequest request, ConnectionContext connection, out AcceptDecision decision, out HandshakeError error)
        => _identity.TryAccept(request, out decision, out error);

    public ValueTask<(string? UserId, HandshakeError Error)> CompleteAcceptAsync(AcceptDecision decision) => _identity.CompleteAcceptAsync(decision);

    public void OnOpen(IWebSocketConnection session) => _lifecycle.OnOpen(session);

    public void OnMessage(IWebSocketConnection session, WebSocketOpcode type, ReadOnlySpan<byte> payload) => _requests.OnMessage(session, type, payload);

    public void OnClose(IWebSocketConnection session) => _lifecycle.OnClose(session);

    // The server API's entry points (Http/Api/ApiHandlers.cs); they live in ServerApiOperations.

    /// <inheritdoc cref="ServerApiOperations.Publish"/>
    public Task ApiPublish(IRoomMember reply, string roomId, string from, ReadOnlySpan<byte> data) => _api.Publish(reply, roomId, from, data);

    /// <inheritdoc cref="ServerApiOperations.Notice"/>
    public Task ApiNotice(IRoomMember reply, string target, string from, ReadOnlySpan<byte> data) => _api.Notice(reply, target, from, data);

    /// <inheritdoc cref="ServerApiOperations.Broadcast"/>
    public Task ApiBroadcast(IRoomMember reply, string from, ReadOnlySpan<byte> data) => _api.Broadcast(reply, from, data);

    /// <inheritdoc cref="ServerApiOperations.Query"/>
    public Task ApiQuery(IRoomMember reply, ReadOnlySpan<byte> roomIdUtf8, ReadOnlySpan<byte> userIdUtf8) => _api.Query(reply, roomIdUtf8, userIdUtf8);

    /// <inheritdoc cref="ServerApiOperations.LocalCounts"/>
    public (int Connections, int Users, int Rooms) LocalCounts => _api.LocalCounts;

    /// <inheritdoc cref="ServerApiOperations.DisconnectAsync"/>
    public Task<bool> ApiDisconnectAsync(string userId, long connection, byte[] reason) => _api.DisconnectAsync(userId, connection, reason);

    private void Sweep() => Channels.Sweep(Environment.TickCount64, id => Rooms.TryGetRoom(id, out _));
}
