using System.Buffers.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using PipeChat.Protocol.Chat;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Buffers;
using PipeChat.Server.Connections;
using PipeChat.Server.Hosting;
using PipeChat.Server.Rooms;
using StackExchange.Redis;

namespace PipeChat.Server.ScaleOut;

/// <summary>
/// The Redis backplane (docs/scale-out.md). Redis assigns every room message its seq, keeps the
/// history and publishes the message on the room's channel; every node subscribed to that channel
/// (those with local members, the sender's included) frames it once and fans it out through the
/// room's <see cref="RoomChannel"/>, in seq order. Private messages go through a channel per user
/// (subscribed while the user has local connections), broadcasts through one channel every node
/// subscribes to. Presence is a hash per node that expires unless the node heartbeats; presence
/// events travel on the room's channel, and a node silent past the window is reaped (with leave
/// events) by the next live node's heartbeat.
/// Subscriptions change on one worker, in order; when Redis is unreachable the chat layer serves
/// local traffic alone and this class catches up when StackExchange.Redis reconnects.
/// </summary>
internal sealed partial class RedisScaleOut : IDisposable
{
    private readonly ServerOptions _options;
    private readonly ILogger _logger;
    private readonly RoomChannels _channels;
    private readonly RoomRegistry _rooms;
    private readonly UserDirectory _users;
    private readonly Channel<SubscriptionWork> _work = Channel.CreateUnbounded<SubscriptionWork>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, ChannelMessageQueue> _roomSubscriptions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ChannelMessageQueue> _userSubscriptions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _roomInterest = new(StringComparer.Ordinal);
    private readonly Lock _interestLock = new();
    private readonly int _keySeconds;
    private readonly int _presenceSeconds;
    private readonly int _presenceKeySeconds;
    private ChannelMessageQueue? _broadcastSubscription;
    private ConnectionMultiplexer? _redis;
    private Timer? _heartbeat;
    private Task? _worker;
    private int _resyncScheduled;
    private volatile bool _needsResync;
    private volatile bool _disposed;

    public RedisScaleOut(ServerOptions options, ILogger logger, RoomChannels channels, RoomRegistry rooms, UserDirectory users)
    {
        _options = options;
        _logger = logger;
        _channels = channels;
        _rooms = rooms;
        _users = users;
        _keySeconds = (int)Math.Ceiling(options.HistorySeconds);
        _presenceSeconds = (int)Math.Ceiling(options.RedisPresenceSeconds);

        // Presence keys outlive the liveness window, so a live node can still read a dead one's to reap it.
        _presenceKeySeconds = 2 * _presenceSeconds;
    }

    /// <summary>This process's id in Redis (presence keys).</summary>
    public string NodeId { get; } = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));

    /// <summary>Whether commands can reach Redis now.</summary>
    public bool IsConnected => !_disposed && _redis is { IsConnected: true };

    /// <summary>Connected and subscribed to broadcasts: the node takes part in the cluster.</summary>
    public bool IsReady => IsConnected && Volatile.Read(ref _broadcastSubscription) is not null && !_needsResync;

    private IDatabase Db => _redis!.GetDatabase();

    private ISubscriber Subscriber => _redis!.GetSubscriber();

    /// <summary>Connects (returning even when Redis is down: it keeps retrying), subscribes to broadcasts and starts the heartbeat.</summary>
    public void Start()
    {
        var config = ConfigurationOptions.Parse(_options.Redis!);
        config.AbortOnConnectFail = false;
        config.BacklogPolicy = BacklogPolicy.FailFast;
        config.ConnectTimeout = 5000;
        config.AsyncTimeout = 5000;
        config.SyncTimeout = 5000;
        config.ConnectRetry = 1;
        config.ReconnectRetryPolicy = new LinearRetry(500);
        config.ClientName = "pipechat-" + NodeId;
        ScaleOutLog.Starting(_logger, _options.Redis!, NodeId);
        _redis = ConnectionMultiplexer.Connect(config);
        _redis.ConnectionFailed += (_, e) => ScaleOutLog.ConnectionLost(_logger, e.ConnectionType.ToString(), e.FailureType.ToString());
        _redis.ConnectionRestored += (_, e) =>
        {
            ScaleOutLog.ConnectionRestored(_logger, e.ConnectionType.ToString());
            ScheduleResync();
        };
        _worker = Task.Run(RunWorkerAsync);
        _work.Writer.TryWrite(new SubscriptionWork(SubscriptionKind.Broadcast, "", null));
        var period = TimeSpan.FromSeconds(Math.Max(_presenceSeconds / 3.0, 0.5));
        _heartbeat = new Timer(static s => _ = ((RedisScaleOut)s!).HeartbeatAsync(), this, TimeSpan.Zero, period);
    }

    public void Dispose()
    {
        _heartbeat?.Dispose();
        _work.Writer.TryComplete();
        if (_redis is { } redis)
        {
            var connected = IsConnected;
            _disposed = true;
            if (connected)
            {
                try
                {
                    // Leave at once (members elsewhere get leave events) rather than when the others reap this node.
                    redis.GetDatabase().ScriptEvaluate(RedisScripts.Leave, [RedisKeys.Nodes], [NodeId, _options.PresenceLimit]);
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    // Presence expires by itself.
                }
            }

            redis.Dispose();
        }
    }

    /// <summary>
    /// A connection is about to join <paramref name="roomId"/>: makes sure this node is subscribed
    /// to the room's channel. True once subscribed; false when Redis is unreachable.
    /// </summary>
    public Task<bool> AcquireRoomAsync(string roomId)
    {
        lock (_interestLock)
        {
            _roomInterest[roomId] = _roomInterest.GetValueOrDefault(roomId) + 1;
        }

        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Writer.TryWrite(new SubscriptionWork(SubscriptionKind.Room, roomId, done));
        return done.Task;
    }

    /// <summary>A connection left <paramref name="roomId"/> (or its join failed); the last one unsubscribes the node.</summary>
    public void ReleaseRoom(string roomId)
    {
        lock (_interestLock)
        {
            var left = _roomInterest.GetValueOrDefault(roomId) - 1;
            if (left > 0)
            {
                _roomInterest[roomId] = left;
                return;
            }

            _roomInterest.Remove(roomId);
        }

        _work.Writer.TryWrite(new SubscriptionWork(SubscriptionKind.Room, roomId, null));
    }

    /// <summary>A user's local connection count went from 0 to 1 or from 1 to 0.</summary>
    public void UserChanged(string userId) => _work.Writer.TryWrite(new SubscriptionWork(SubscriptionKind.User, userId, null));

    private bool WantsRoom(string roomId)
    {
        lock (_interestLock)
        {
            return _roomInterest.ContainsKey(roomId);
        }
    }

    private string[] InterestingRooms()
    {
        lock (_interestLock)
        {
            return [.. _roomInterest.Keys];
        }
    }

    private async Task RunWorkerAsync()
    {
        await foreach (var work in _work.Reader.ReadAllAsync())
        {
            var subscribed = false;
            try
            {
                subscribed = work.Kind switch
                {
                    SubscriptionKind.Room => await ReconcileAsync(_roomSubscriptions, work.Id, WantsRoom(work.Id), RedisKeys.RoomChannel(work.Id), message => OnRoomMessage(work.Id, message)),
                    SubscriptionKind.User => await ReconcileAsync(_userSubscriptions, work.Id, _users.ConnectionCount(work.Id) > 0, RedisKeys.UserChannel(work.Id), message => OnUserMessage(work.Id, message)),
                    _ => await ReconcileBroadcastAsync(),
                };
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                _needsResync = true;
                ScaleOutLog.OperationFailed(_logger, ex, "subscribe " + work.Id);
            }

            work.Done?.TrySetResult(subscribed);
        }
    }

    private async Task<bool> ReconcileAsync(Dictionary<string, ChannelMessageQueue> subscriptions, string id, bool wanted, RedisChannel channel, Action<ChannelMessage> handler)
    {
        var has = subscriptions.TryGetValue(id, out var queue);
        if (wanted && !has)
        {
            if (!IsConnected)
            {
                _needsResync = true; // Subscribed by the resync once Redis is reachable.
                return false;
            }

            queue = await Subscriber.SubscribeAsync(channel);
            queue.OnMessage(handler);
            subscriptions[id] = queue;
            return true;
        }

        if (!wanted && has)
        {
            subscriptions.Remove(id);
            await queue!.UnsubscribeAsync();
            return false;
        }

        return has;
    }

    private async Task<bool> ReconcileBroadcastAsync()
    {
        if (_broadcastSubscription is not null)
        {
            return true;
        }

        if (!IsConnected)
        {
            _needsResync = true;
            return false;
        }

        var queue = await Subscriber.SubscribeAsync(RedisKeys.Broadcast);
        queue.OnMessage(message =>
        {
            var frame = SharedFrame.Create(WebSocketOpcode.Text, ((ReadOnlyMemory<byte>)message.Message).Span);
            _users.Broadcast(frame);
            frame.Release();
        });
        _broadcastSubscription = queue;
        return true;
    }

    /// <summary>Server API: a disconnect request for a user with local connections arrived (user id, connection number or 0 for all, reason).</summary>
    public Action<string, long, byte[]>? DisconnectRequested { get; set; }

    private void OnUserMessage(string userId, ChannelMessage message)
    {
        var bytes = (ReadOnlyMemory<byte>)message.Message;
        if (!bytes.IsEmpty && bytes.Span[0] == DisconnectMarker)
        {
            // Not a chat message (those are JSON objects): a disconnect request from the server API.
            if (TryParseDisconnect(bytes.Span, out var connection, out var reason))
            {
                DisconnectRequested?.Invoke(userId, connection, reason);
            }

            return;
        }

        var frame = SharedFrame.Create(WebSocketOpcode.Text, bytes.Span);
        _users.SendToUser(userId, frame);
        frame.Release();
    }

    private void OnRoomMessage(string roomId, ChannelMessage message)
    {
        var raw = (ReadOnlyMemory<byte>)message.Message;
        if (!raw.IsEmpty && raw.Span[0] is (byte)'J' or (byte)'L')
        {
            OnPresenceMessage(roomId, raw.Span);
            return;
        }

        if (!TryParseEntry((ReadOnlyMemory<byte>)message.Message, out var seq, out var epoch, out _, out var json))
        {
            ScaleOutLog.BadMessage(_logger, roomId);
            return;
        }

        // Framed once for this node; the room channel's owner fans it out in seq order.
        var frame = SharedFrame.Create(WebSocketOpcode.Text, json.Span);
        _channels.GetOrCreate(roomId).Post(new PendingRoomMessage(null, frame, 0, null, null, 0, seq, epoch));
    }

    /// <summary>
    /// A presence event from the room's channel: framed once for this node and posted to the room
    /// channel, so local members get it in order with the room's messages. The connection it is
    /// about (on this node) does not get it: it has its <c>joined</c>/<c>left</c> reply.
    /// </summary>
    private void OnPresenceMessage(string roomId, ReadOnlySpan<byte> raw)
    {
        if (!TryParsePresence(raw, out var join, out var count, out var nodeId, out var connectionId, out var userId))
        {
            ScaleOutLog.BadMessage(_logger, roomId);
            return;
        }

        if (!_rooms.TryGetRoom(roomId, out var room))
        {
            return;
        }

        IRoomMember? except = null;
        if (join && nodeId.SequenceEqual(System.Text.Encoding.ASCII.GetBytes(NodeId)))
        {
            foreach (var member in room.GetMembers())
            {
                if (member.ConnectionId == connectionId)
                {
                    except = member;
                    break;
                }
            }
        }

        var frame = SharedFrame.Rent(64 + (roomId.Length * 6) + userId.Length);
        if (join)
        {
            ChatMessageWriter.WriteJoinEvent(frame, roomId, userId, count);
        }
        else
        {
            ChatMessageWriter.WriteLeaveEvent(frame, roomId, userId, count);
        }

        frame.Seal(WebSocketOpcode.Text);
        _channels.GetOrCreate(roomId).Post(new PendingRoomMessage(null, frame, 0, except, null, 0, Presence: true));
    }

    /// <summary>Parses "J|L count node connection user".</summary>
    internal static bool TryParsePresence(ReadOnlySpan<byte> raw, out bool join, out int count, out ReadOnlySpan<byte> nodeId, out long connectionId, out string userId)
    {
        join = raw.Length > 0 && raw[0] == (byte)'J';
        count = 0;
        nodeId = default;
        connectionId = 0;
        userId = "";
        if (raw.Length < 2 || raw[0] is not ((byte)'J' or (byte)'L') || raw[1] != (byte)' ')
        {
            return false;
        }

        raw = raw[2..];
        if (!Utf8Parser.TryParse(raw, out count, out var used) || used >= raw.Length || raw[used] != (byte)' ')
        {
            return false;
        }

        raw = raw[(used + 1)..];
        var space = raw.IndexOf((byte)' ');
        if (space <= 0)
        {
            return false;
        }

        nodeId = raw[..space];
        raw = raw[(space + 1)..];
        if (!Utf8Parser.TryParse(raw, out connectionId, out used) || used >= raw.Length || raw[used] != (byte)' ')
        {
            return false;
        }

        raw = raw[(used + 1)..];
        if (raw.IsEmpty || !System.Text.Unicode.Utf8.IsValid(raw))
        {
            return false;
        }

        userId = System.Text.Encoding.UTF8.GetString(raw);
        return count >= 0;
    }

    /// <summary>Parses "seq epoch storedAtMs json".</summary>
    internal static bool TryParseEntry(ReadOnlyMemory<byte> entry, out long seq, out string epoch, out long storedAtMs, out ReadOnlyMemory<byte> json)
    {
        epoch = "";
        storedAtMs = 0;
        json = default;
        var span = entry.Span;
        if (!Utf8Parser.TryParse(span, out seq, out var used) || used >= span.Length || span[used] != (byte)' ')
        {
            return false;
        }

        var rest = used + 1;
        var space = span[rest..].IndexOf((byte)' ');
        if (space <= 0)
        {
            return false;
        }

        epoch = System.Text.Encoding.ASCII.GetString(span.Slice(rest, space));
        rest += space + 1;
        if (!Utf8Parser.TryParse(span[rest..], out storedAtMs, out used) || rest + used >= span.Length || span[rest + used] != (byte)' ')
        {
            return false;
        }

        json = entry[(rest + used + 1)..];
        return seq > 0;
    }

    /// <summary>Heartbeat: a subscription could not be made (Redis was unreachable, perhaps since start-up): try again.</summary>
    private void ResyncIfNeeded()
    {
        if (_needsResync && IsConnected)
        {
            ScheduleResync();
        }
    }

    private void ScheduleResync()
    {
        if (Interlocked.Exchange(ref _resyncScheduled, 1) == 0)
        {
            _ = Task.Run(async () =>
            {
                // Let both the interactive and the subscription connection come back first.
                await Task.Delay(200);
                _needsResync = false;
                Volatile.Write(ref _resyncScheduled, 0);
                await ResyncAsync();
            });
        }
    }

    /// <summary>After a reconnect: subscribe what is missing, rewrite this node's presence, catch every local room up.</summary>
    private async Task ResyncAsync()
    {
        try
        {
            _work.Writer.TryWrite(new SubscriptionWork(SubscriptionKind.Broadcast, "", null));
            foreach (var userId in LocalUsers().Keys)
            {
                UserChanged(userId);
            }

            var rooms = InterestingRooms();
            foreach (var roomId in rooms)
            {
                _work.Writer.TryWrite(new SubscriptionWork(SubscriptionKind.Room, roomId, null));
            }

            await RewritePresenceAsync();
            foreach (var roomId in rooms)
            {
                var channel = _channels.GetOrCreate(roomId);
                var snapshot = await ReadRoomAsync(roomId, channel.LastSeq, _options.HistorySize);
                if (snapshot is null)
                {
                    _needsResync = true;
                    return;
                }

                channel.Exclusive((this, snapshot), static (channel, state) =>
                    channel.ApplySnapshot(state.snapshot, state.Item1._rooms.TryGetRoom(channel.RoomId, out var room) ? room : null, catchUp: true));
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _needsResync = true;
            ScaleOutLog.OperationFailed(_logger, ex, "resync after reconnect");
        }
    }

    private Dictionary<string, int> LocalUsers()
    {
        var users = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var connection in _users.GetConnections())
        {
            users[connection.UserId] = users.GetValueOrDefault(connection.UserId) + 1;
        }

        return users;
    }

    private enum SubscriptionKind
    {
        Room,
        User,
        Broadcast,
    }

    private readonly record struct SubscriptionWork(SubscriptionKind Kind, string Id, TaskCompletionSource<bool>? Done);
}
