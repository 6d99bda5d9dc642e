using System.Threading.Channels;
using PipeChat.Protocol.Chat;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Buffers;
using PipeChat.Server.Rooms;
using StackExchange.Redis;

namespace PipeChat.Server.ScaleOut;

/// <summary>
/// The node's pub/sub: what it listens to and what it publishes. A room's channel is subscribed
/// while the room has local members (or joiners), a user's while the user has local connections,
/// the broadcast channel always. Changes run on one worker, in order. What arrives is framed once
/// for this node: room messages and presence events go to the room's <see cref="RoomChannel"/>
/// (fanned out in order by its owner), notices to the user's connections, broadcasts to all.
/// </summary>
internal sealed class RedisSubscriptions(RedisLink link, RoomRegistry rooms, RoomChannels channels, UserDirectory users, Action<string, long, byte[]> disconnectLocal)
{
    private readonly Channel<Work> _work = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, ChannelMessageQueue> _roomSubscriptions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ChannelMessageQueue> _userSubscriptions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _roomInterest = new(StringComparer.Ordinal);
    private readonly Lock _interestLock = new();
    private readonly byte[] _nodeId = System.Text.Encoding.ASCII.GetBytes(link.NodeId);
    private ChannelMessageQueue? _broadcastSubscription;
    private volatile bool _needsResync;

    /// <summary>Subscribed to broadcasts, and no subscription is missing.</summary>
    public bool IsComplete => Volatile.Read(ref _broadcastSubscription) is not null && !_needsResync;

    /// <summary>A subscription could not be made (Redis was unreachable): the next resync makes it.</summary>
    public bool NeedsResync => _needsResync;

    public void Start()
    {
        _ = Task.Run(RunWorkerAsync);
        _work.Writer.TryWrite(new Work(Kind.Broadcast, "", null));
    }

    public void Stop() => _work.Writer.TryComplete();

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
        _work.Writer.TryWrite(new Work(Kind.Room, roomId, done));
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

        _work.Writer.TryWrite(new Work(Kind.Room, roomId, null));
    }

    /// <summary>A user's local connection count went from 0 to 1 or from 1 to 0.</summary>
    public void UserChanged(string userId) => _work.Writer.TryWrite(new Work(Kind.User, userId, null));

    /// <summary>The rooms this node has (or is getting) members in.</summary>
    public string[] InterestingRooms()
    {
        lock (_interestLock)
        {
            return [.. _roomInterest.Keys];
        }
    }

    /// <summary>After a reconnect: queues every subscription the node should have (made if missing).</summary>
    public void ResubscribeAll(IEnumerable<string> userIds, string[] roomIds)
    {
        _needsResync = false;
        _work.Writer.TryWrite(new Work(Kind.Broadcast, "", null));
        foreach (var userId in userIds)
        {
            UserChanged(userId);
        }

        foreach (var roomId in roomIds)
        {
            _work.Writer.TryWrite(new Work(Kind.Room, roomId, null));
        }
    }

    /// <summary>Marks the subscriptions as needing a resync (something failed while Redis was away).</summary>
    public void MarkIncomplete() => _needsResync = true;

    /// <summary>Publishes a complete notice to the user's channel; how many nodes hold the user.</summary>
    public Task<long> PublishUserAsync(string userId, byte[] message) => link.Subscriber.PublishAsync(RedisKeys.UserChannel(userId), message);

    public Task<long> PublishBroadcastAsync(byte[] message) => link.Subscriber.PublishAsync(RedisKeys.Broadcast, message);

    /// <summary>Asks the nodes holding the user's connections to close them (all, or number <paramref name="connection"/>); how many nodes got it.</summary>
    public Task<long> PublishDisconnectAsync(string userId, long connection, byte[] reason)
        => link.Subscriber.PublishAsync(RedisKeys.UserChannel(userId), RedisWireFormat.EncodeDisconnect(connection, reason));

    private bool WantsRoom(string roomId)
    {
        lock (_interestLock)
        {
            return _roomInterest.ContainsKey(roomId);
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
                    Kind.Room => await ReconcileAsync(_roomSubscriptions, work.Id, WantsRoom(work.Id), RedisKeys.RoomChannel(work.Id), message => OnRoomMessage(work.Id, message)),
                    Kind.User => await ReconcileAsync(_userSubscriptions, work.Id, users.ConnectionCount(work.Id) > 0, RedisKeys.UserChannel(work.Id), message => OnUserMessage(work.Id, message)),
                    _ => await ReconcileBroadcastAsync(),
                };
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                _needsResync = true;
                ScaleOutLog.OperationFailed(link.Logger, ex, "subscribe " + work.Id);
            }

            work.Done?.TrySetResult(subscribed);
        }
    }

    private async Task<bool> ReconcileAsync(Dictionary<string, ChannelMessageQueue> subscriptions, string id, bool wanted, RedisChannel channel, Action<ChannelMessage> handler)
    {
        var has = subscriptions.TryGetValue(id, out var queue);
        if (wanted && !has)
        {
            if (!link.IsConnected)
            {
                _needsResync = true; // Subscribed by the resync once Redis is reachable.
                return false;
            }

            queue = await link.Subscriber.SubscribeAsync(channel);
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

        if (!link.IsConnected)
        {
            _needsResync = true;
            return false;
        }

        var queue = await link.Subscriber.SubscribeAsync(RedisKeys.Broadcast);
        queue.OnMessage(message =>
        {
            var frame = SharedFrame.Create(WebSocketOpcode.Text, ((ReadOnlyMemory<byte>)message.Message).Span);
            users.Broadcast(frame);
            frame.Release();
        });
        _broadcastSubscription = queue;
        return true;
    }

    private void OnUserMessage(string userId, ChannelMessage message)
    {
        var bytes = (ReadOnlyMemory<byte>)message.Message;
        if (RedisWireFormat.IsDisconnect(bytes.Span))
        {
            // Not a chat message (those are JSON objects): a disconnect request from the server API.
            if (RedisWireFormat.TryParseDisconnect(bytes.Span, out var connection, out var reason))
            {
                disconnectLocal(userId, connection, reason);
            }

            return;
        }

        var frame = SharedFrame.Create(WebSocketOpcode.Text, bytes.Span);
        users.SendToUser(userId, frame);
        frame.Release();
    }

    /// <summary>Gets a room channel's recalls and evictions (<see cref="RedisModerationWire"/>).</summary>
    public Action<string, ReadOnlyMemory<byte>>? ModerationMessage { get; set; }

    private void OnRoomMessage(string roomId, ChannelMessage message)
    {
        var raw = (ReadOnlyMemory<byte>)message.Message;
        if (RedisModerationWire.IsModeration(raw.Span))
        {
            ModerationMessage?.Invoke(roomId, raw);
            return;
        }

        if (RedisWireFormat.IsPresence(raw.Span))
        {
            OnPresenceMessage(roomId, raw.Span);
            return;
        }

        if (!RedisWireFormat.TryParseEntry(raw, out var seq, out var epoch, out _, out var json))
        {
            ScaleOutLog.BadMessage(link.Logger, roomId);
            return;
        }

        // Framed once for this node; the room channel's owner fans it out in seq order.
        var frame = SharedFrame.Create(WebSocketOpcode.Text, json.Span);
        frame.Priority = OverloadMessageWriter.PriorityOf(json.Span);
        channels.GetOrCreate(roomId).Run(new RedisRoomDelivery(rooms, frame, seq, epoch));
    }

    /// <summary>
    /// A presence record from the room's channel: framed once for this node and queued on the room
    /// channel, so local members get it in order with the room's messages. The connection it is
    /// about (on this node) does not get it: it has its <c>joined</c>/<c>left</c> reply.
    /// </summary>
    private void OnPresenceMessage(string roomId, ReadOnlySpan<byte> raw)
    {
        if (!RedisWireFormat.TryParsePresence(raw, out var join, out var count, out var nodeId, out var connectionId, out var userId))
        {
            ScaleOutLog.BadMessage(link.Logger, roomId);
            return;
        }

        if (!rooms.TryGetRoom(roomId, out var room))
        {
            return;
        }

        IRoomMember? except = null;
        if (join && nodeId.SequenceEqual(_nodeId))
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
        channels.GetOrCreate(roomId).Run(new RedisPresenceDelivery(rooms, frame, except));
    }

    private enum Kind
    {
        Room,
        User,
        Broadcast,
    }

    private readonly record struct Work(Kind Kind, string Id, TaskCompletionSource<bool>? Done);
}
