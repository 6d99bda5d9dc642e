using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PipeChat.Server.Configuration;
using PipeChat.Protocol.Chat;
using PipeChat.Server.Diagnostics;
using PipeChat.Protocol.Framing;
using PipeChat.Protocol.Handshake;
using PipeChat.Server.Connections;
using PipeChat.Server.Content;
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
    private readonly IRoomMessageGate _content;
    private readonly IModeration _moderation;
    private readonly HandshakeIdentity _identity;
    private readonly ConnectionLifecycle _lifecycle;
    private readonly ChatRequestDispatcher _requests;
    private readonly ServerApiOperations _api;
    private readonly ChatGauges _gauges;
    private readonly ICounterHub _counters;
    private readonly Timer _sweeper;

    public ChatApplication(ServerOptions options, ILoggerFactory? loggerFactory = null, ServerMetrics? metrics = null)
    {
        Rooms = new RoomRegistry(new RoomRegistryOptions { MaxMembersPerRoom = options.MaxRoomMembers });
        Users = new UserDirectory();
        Channels = new RoomChannels(options.HistorySize, (long)(options.HistorySeconds * 1000));
        var settings = new RoutingSettings(options.HistorySize, options.HistorySeconds, options.PresenceLimit, options.QueryMaxMembers, options.PresenceGraceSeconds);
        var users = Users;
        var local = new LocalRouter(settings, Rooms, Channels, Users)
        {
            // A ban put the connection out of a room: its own list drops it at its next request.
            Evicted = static (member, room) => ((member as IWebSocketConnection)?.ApplicationState as ChatConnectionState)?.Rooms.MarkEvicted(room),
        };
        _router = RouterChoice.Create(
            options,
            local,
            loggerFactory ?? NullLoggerFactory.Instance,
            (userId, connection, reason) => ServerApiOperations.DisconnectLocal(users, userId, connection, reason));
        _content = ContentGateChoice.Create(options, loggerFactory ?? NullLoggerFactory.Instance);
        _moderation = RouterChoice.CreateModeration(_router, Rooms);
        Admission = new RoomAdmission(
            new RoomIngress(options.RoomMaxRate, options.RoomHighShare),
            new HighPrioritySenders(),
            (metrics ?? new ServerMetrics()).Priorities);
        _counters = RouterChoice.CreateCounters(options, Rooms, Admission.Counters, loggerFactory ?? NullLoggerFactory.Instance);
        var roomRequests = new RoomRequests(options, Rooms, _router, _content, _moderation, Admission);
        var userRequests = new UserRequests(options, _router);
        var moderationRequests = new ModerationRequests(_moderation, _router);
        _identity = new HandshakeIdentity(options, Users);
        _lifecycle = new ConnectionLifecycle(options, Users, _router);
        _requests = new ChatRequestDispatcher(options, roomRequests, userRequests, moderationRequests, new TokenRefresh(_identity, _router), new CountRequests(options, Rooms, _counters));
        _api = new ServerApiOperations(Rooms, Users, roomRequests, userRequests, _router, moderationRequests, Admission);
        _gauges = new ChatGauges(Rooms, Channels, Users, _router);
        _sweeper = new Timer(static s => ((ChatApplication)s!).Sweep(), this, SweepPeriod, SweepPeriod);
    }

    public RoomRegistry Rooms { get; }

    /// <summary>Each room id's seq, epoch and history.</summary>
    public RoomChannels Channels { get; }

    public UserDirectory Users { get; }

    /// <summary>Priorities and room ingress caps (live rooms under overload).</summary>
    internal RoomAdmission Admission { get; }

    /// <summary>Room counters (count requests).</summary>
    internal ICounterHub Counters => _counters;

    /// <summary>With --redis: whether Redis is unreachable (the node serves local traffic only).</summary>
    public bool Degraded => _router.Degraded;

    /// <summary>Connects to Redis when configured (returns even when it is down: it keeps retrying).</summary>
    public void Start()
    {
        _router.Start();
        _moderation.Start();
        _counters.Start();
    }

    public void Dispose()
    {
        _sweeper.Dispose();
        _moderation.Dispose();
        _counters.Dispose();
        _router.Dispose();
        _content.Dispose();
    }

    public (string Name, string Help, long Value)[] Gauges() => _gauges.Read();

    public bool TryAccept(in HandshakeRequest request, ConnectionContext connection, out AcceptDecision decision, out HandshakeError error)
        => _identity.TryAccept(request, out decision, out error);

    public ValueTask<(string? UserId, HandshakeError Error, object? State)> CompleteAcceptAsync(AcceptDecision decision) => _identity.CompleteAcceptAsync(decision);

    public void OnOpen(IWebSocketConnection session) => _lifecycle.OnOpen(session);

    public void OnMessage(IWebSocketConnection session, WebSocketOpcode type, ReadOnlySpan<byte> payload) => _requests.OnMessage(session, type, payload);

    public void OnClose(IWebSocketConnection session) => _lifecycle.OnClose(session);

    // The server API's entry points (Http/Api/ApiHandlers.cs); they live in ServerApiOperations.

    /// <inheritdoc cref="ServerApiOperations.Publish"/>
    public Task ApiPublish(IRoomMember reply, string roomId, string from, ReadOnlySpan<byte> data, MessagePriority priority = MessagePriority.Normal) => _api.Publish(reply, roomId, from, data, priority);

    /// <summary>Sets a room's own ingress rate (null: back to --room-max-rate; 0: not capped).</summary>
    public void ApiSetRoomRate(string roomId, double? rate) => Admission.Ingress.SetRoomRate(roomId, rate);

    /// <summary>Grants or withdraws a user's high priority in a room.</summary>
    public void ApiSetRoomHost(string roomId, string userId, bool allowed) => Admission.HighSenders.Set(roomId, userId, allowed);

    /// <inheritdoc cref="ServerApiOperations.Notice"/>
    public Task ApiNotice(IRoomMember reply, string target, string from, ReadOnlySpan<byte> data) => _api.Notice(reply, target, from, data);

    /// <inheritdoc cref="ServerApiOperations.Broadcast"/>
    public Task ApiBroadcast(IRoomMember reply, string from, ReadOnlySpan<byte> data) => _api.Broadcast(reply, from, data);

    /// <inheritdoc cref="ServerApiOperations.Query"/>
    public Task ApiQuery(IRoomMember reply, ReadOnlySpan<byte> roomIdUtf8, ReadOnlySpan<byte> userIdUtf8) => _api.Query(reply, roomIdUtf8, userIdUtf8);

    /// <inheritdoc cref="ServerApiOperations.LocalCounts"/>
    public (int Connections, int Users, int Rooms) LocalCounts => _api.LocalCounts;

    /// <inheritdoc cref="ServerApiOperations.History"/>
    public Task ApiHistory(IRoomMember reply, string roomId, int limit) => _api.History(reply, roomId, limit);

    /// <inheritdoc cref="ServerApiOperations.LargestRooms"/>
    public List<(string Id, int Members, int Users)> LargestRooms(int limit) => _api.LargestRooms(limit);

    /// <inheritdoc cref="ServerApiOperations.DisconnectAsync"/>
    public Task<bool> ApiDisconnectAsync(string userId, long connection, byte[] reason) => _api.DisconnectAsync(userId, connection, reason);

    /// <inheritdoc cref="ServerApiOperations.Moderation"/>
    public ModerationRequests ApiModeration => _api.Moderation;

    private void Sweep()
    {
        Channels.Sweep(Environment.TickCount64, id => Rooms.TryGetRoom(id, out _));
        _moderation.Sweep();
        Admission.Ingress.Sweep(Environment.TickCount64);
    }
}
