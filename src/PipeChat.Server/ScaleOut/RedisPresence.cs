using PipeChat.Server.Rooms;
using PipeChat.Server.Routing;
using StackExchange.Redis;

namespace PipeChat.Server.ScaleOut;

/// <summary>
/// Who is where, cluster-wide: per node, a hash of user → connections and, per room, user →
/// connections, all expiring unless the node heartbeats. Room joins and leaves also publish the
/// presence record on the room's channel (within the presence limit). The heartbeat reaps nodes
/// silent past the window, with leave events for their members.
/// </summary>
internal sealed class RedisPresence(RedisLink link, RoutingSettings settings, RedisSettings redisSettings, RoomRegistry rooms, UserDirectory users)
{
    private readonly int _presenceSeconds = (int)Math.Ceiling(redisSettings.PresenceSeconds);

    // Presence keys outlive the liveness window, so a live node can still read a dead one's to reap it.
    private int PresenceKeySeconds => 2 * _presenceSeconds;

    private string NodeId => link.NodeId;

    /// <summary>The heartbeat's period.</summary>
    public TimeSpan HeartbeatPeriod => TimeSpan.FromSeconds(Math.Max(_presenceSeconds / 3.0, 0.5));

    /// <summary>A local connection opened (+1) or closed (-1): this node's count for the user.</summary>
    public void CountUser(string userId, int delta)
    {
        if (!link.IsConnected)
        {
            return; // Rewritten whole after the reconnect.
        }

        try
        {
            link.Db.ScriptEvaluate(RedisScripts.Count, [RedisKeys.NodeUsers(NodeId)], [userId, delta, PresenceKeySeconds], CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            ScaleOutLog.OperationFailed(link.Logger, ex, "presence count");
        }
    }

    /// <summary>
    /// A local connection joined (+1) or left (-1) a room: counts it in Redis and publishes the
    /// presence record on the room's channel (when the room is within the presence limit
    /// cluster-wide), for every node's members — this node's too — to get in order with the room's
    /// messages. Returns the script's task (complete once Redis applied it, never faulted), or null
    /// when Redis could not be asked: the caller tells the local members itself.
    /// </summary>
    public Task? TryRoomPresence(string roomId, string userId, long connectionId, int delta, bool holdLeave = false)
    {
        if (!link.IsConnected)
        {
            return null;
        }

        try
        {
            if (delta > 0)
            {
                // On a cluster the node's room set lives in the node's slot, not the room's: kept beside the script (and rewritten by heartbeats).
                link.Db.SetAdd(RedisKeys.NodeRooms(NodeId), roomId, CommandFlags.FireAndForget);
            }

            var task = link.Db.ScriptEvaluateAsync(
                RedisScripts.Presence,
                [RedisKeys.NodeRoom(NodeId, roomId), RedisKeys.RoomNodes(roomId), RedisKeys.RoomHeldLeaves(roomId)],
                [userId, delta, PresenceKeySeconds, NodeId, connectionId, settings.PresenceLimit, RedisKeys.RoomChannelName(roomId), holdLeave ? 1 : 0, HeldLeaveSeconds]);
            return task.ContinueWith(
                static (t, s) =>
                {
                    if (t.IsFaulted)
                    {
                        ScaleOutLog.OperationFailed((Microsoft.Extensions.Logging.ILogger)s!, t.Exception!.GetBaseException(), "room presence");
                    }
                },
                link.Logger,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            ScaleOutLog.OperationFailed(link.Logger, ex, "room presence");
            return null;
        }
    }

    /// <summary>A held leave outlives its grace a little, so a node that dies holding one does not leave it forever.</summary>
    private int HeldLeaveSeconds => (int)Math.Ceiling(settings.PresenceGraceSeconds) + PresenceKeySeconds;

    /// <summary>The grace of a dropped connection ended: its leave event goes out unless its user joined the room again meanwhile (on any node).</summary>
    public async Task ReleaseLeaveAsync(string roomId, string userId, long connectionId)
    {
        try
        {
            await link.Db.ScriptEvaluateAsync(
                RedisScripts.ReleaseLeave,
                [RedisKeys.RoomNodes(roomId), RedisKeys.RoomHeldLeaves(roomId)],
                [userId, settings.PresenceLimit, RedisKeys.RoomChannelName(roomId), NodeId, connectionId]);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            ScaleOutLog.OperationFailed(link.Logger, ex, "held leave");
        }
    }

    /// <summary>Connections the user holds on every live node.</summary>
    public async Task<int> OnlineAsync(string userId)
    {
        var db = link.Db;
        var nodes = await LiveNodesAsync(db);
        var counts = await Task.WhenAll(nodes.Select(node => db.HashGetAsync(RedisKeys.NodeUsers(node), userId)));
        return counts.Sum(c => c.IsNull ? 0 : (int)c);
    }

    /// <summary>Users in the room counted per live node, and up to <paramref name="max"/> distinct ids.</summary>
    public async Task<(int Count, string[] Ids)> MembersAsync(string roomId, int max)
    {
        var db = link.Db;
        var nodes = await LiveNodesAsync(db);
        if (nodes.Length == 0)
        {
            return (0, []);
        }

        var keys = nodes.Select(node => RedisKeys.NodeRoom(node, roomId)).ToArray();
        var result = (RedisResult[])(await db.ScriptEvaluateAsync(RedisScripts.Members, keys, [max]))!;
        var ids = new string[result.Length - 1];
        for (var i = 1; i < result.Length; i++)
        {
            ids[i - 1] = (string)result[i]!;
        }

        return ((int)(long)result[0], ids);
    }

    private async Task<string[]> LiveNodesAsync(IDatabase db)
        => (string[])(await db.ScriptEvaluateAsync(RedisScripts.LiveNodes, [RedisKeys.Nodes], [_presenceSeconds]))!;

    /// <summary>
    /// Records this node as alive, refreshes its keys (<paramref name="roomIds"/>: the rooms it
    /// has members in) and reaps the nodes it found dead; true when the others had reaped this one
    /// (it was registered, and is no longer in the node set).
    /// </summary>
    public async Task<bool> HeartbeatAsync(string[] roomIds)
    {
        var db = link.Db;
        var ttl = TimeSpan.FromSeconds(PresenceKeySeconds);
        var heartbeat = db.ScriptEvaluateAsync(RedisScripts.Heartbeat, [RedisKeys.Nodes], [NodeId, _presenceSeconds]);
        var roomsKey = RedisKeys.NodeRooms(NodeId);
        var batch = new List<Task>
        {
            heartbeat,
            db.KeyExpireAsync(RedisKeys.NodeUsers(NodeId), ttl),
        };
        // Rewritten whole (one connection per shard keeps the order): rooms this node left drop out.
        batch.Add(db.KeyDeleteAsync(roomsKey));
        if (roomIds.Length > 0)
        {
            batch.Add(db.SetAddAsync(roomsKey, [.. roomIds.Select(r => (RedisValue)r)]));
        }

        batch.Add(db.KeyExpireAsync(roomsKey, ttl));
        foreach (var roomId in roomIds)
        {
            batch.Add(db.KeyExpireAsync(RedisKeys.NodeRoom(NodeId, roomId), ttl));
            batch.Add(db.KeyExpireAsync(RedisKeys.RoomNodes(roomId), ttl));
        }

        await Task.WhenAll(batch);
        var result = (RedisResult[])(await heartbeat)!;
        for (var i = 2; i < result.Length; i++)
        {
            await ReapAsync(db, (string)result[i]!);
        }

        var wasRegistered = _registered;
        _registered = true;
        return wasRegistered && (long)result[1] == 0;
    }

    private volatile bool _registered;

    /// <summary>Removes a dead node's presence, room by room (each in its own slot), with leave events for its members; then its own keys.</summary>
    private async Task ReapAsync(IDatabase db, string nodeId)
    {
        foreach (var room in await db.SetMembersAsync(RedisKeys.NodeRooms(nodeId)))
        {
            var roomId = (string)room!;
            await db.ScriptEvaluateAsync(RedisScripts.ReapRoom, [RedisKeys.RoomNodes(roomId), RedisKeys.NodeRoom(nodeId, roomId)], [nodeId, settings.PresenceLimit, RedisKeys.RoomChannelName(roomId)]);
        }

        await db.KeyDeleteAsync(RedisKeys.NodeRooms(nodeId));
        await db.KeyDeleteAsync(RedisKeys.NodeUsers(nodeId));
    }

    /// <summary>A stopping node leaves at once (members elsewhere get leave events) rather than when the others reap it.</summary>
    public void Leave(IDatabase db)
    {
        db.SortedSetRemove(RedisKeys.Nodes, NodeId);
        ReapAsync(db, NodeId).GetAwaiter().GetResult();
    }

    /// <summary>Writes this node's presence from scratch (after Redis came back, perhaps empty).</summary>
    public async Task RewriteAsync(string[] roomIds)
    {
        var db = link.Db;
        var ttl = TimeSpan.FromSeconds(PresenceKeySeconds);
        var usersKey = RedisKeys.NodeUsers(NodeId);
        var local = LocalUsers();
        var tasks = new List<Task> { db.KeyDeleteAsync(usersKey) };
        if (local.Count > 0)
        {
            tasks.Add(db.HashSetAsync(usersKey, [.. local.Select(u => new HashEntry(u.Key, u.Value))]));
            tasks.Add(db.KeyExpireAsync(usersKey, ttl));
        }

        var roomsKey = RedisKeys.NodeRooms(NodeId);
        tasks.Add(db.KeyDeleteAsync(roomsKey));
        foreach (var roomId in roomIds)
        {
            var key = RedisKeys.NodeRoom(NodeId, roomId);
            var nodesKey = RedisKeys.RoomNodes(roomId);
            tasks.Add(db.KeyDeleteAsync(key));
            var connections = 0;
            if (rooms.TryGetRoom(roomId, out var room))
            {
                var members = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var member in room.GetMembers())
                {
                    members[member.UserId] = members.GetValueOrDefault(member.UserId) + 1;
                    connections++;
                }

                if (members.Count > 0)
                {
                    tasks.Add(db.HashSetAsync(key, [.. members.Select(u => new HashEntry(u.Key, u.Value))]));
                    tasks.Add(db.KeyExpireAsync(key, ttl));
                }
            }

            if (connections > 0)
            {
                tasks.Add(db.HashSetAsync(nodesKey, NodeId, connections));
                tasks.Add(db.KeyExpireAsync(nodesKey, ttl));
                tasks.Add(db.SetAddAsync(roomsKey, roomId));
                tasks.Add(db.KeyExpireAsync(roomsKey, ttl));
            }
            else
            {
                tasks.Add(db.HashDeleteAsync(nodesKey, NodeId));
            }
        }

        await Task.WhenAll(tasks);
    }

    /// <summary>This node's users and their connection counts.</summary>
    public Dictionary<string, int> LocalUsers()
    {
        var local = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var connection in users.GetConnections())
        {
            local[connection.UserId] = local.GetValueOrDefault(connection.UserId) + 1;
        }

        return local;
    }
}
