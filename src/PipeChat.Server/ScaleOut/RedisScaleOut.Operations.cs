using PipeChat.Server.Rooms;
using StackExchange.Redis;

namespace PipeChat.Server.ScaleOut;

/// <summary>The commands: room sends and reads, private messages, broadcast, presence.</summary>
internal sealed partial class RedisScaleOut
{
    private long MinStoredAtMs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (long)(_options.HistorySeconds * 1000);

    /// <summary>
    /// Gives the message the room's next seq, keeps it and publishes it, atomically. The message is
    /// the room JSON with the seq left out: <paramref name="beforeSeq"/> + seq + <paramref name="afterSeq"/>.
    /// </summary>
    public async Task<long> SendRoomAsync(string roomId, byte[] beforeSeq, byte[] afterSeq)
    {
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(
            RedisScripts.SendRoom,
            RedisKeys.Room(roomId),
            [beforeSeq, afterSeq, RoomChannel.NewEpoch(), _options.HistorySize, _keySeconds, "pipechat:room:" + roomId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()]))!;
        return (long)result[0];
    }

    /// <summary>The room's epoch, last seq and up to <paramref name="limit"/> kept messages after <paramref name="after"/>; null when Redis is unreachable.</summary>
    public async Task<RoomSnapshot?> ReadRoomAsync(string roomId, long after, int limit)
    {
        if (!IsConnected)
        {
            return null;
        }

        try
        {
            var result = (RedisResult[])(await Db.ScriptEvaluateAsync(
                RedisScripts.ReadRoom,
                RedisKeys.Room(roomId),
                [RoomChannel.NewEpoch(), Math.Max(after, 0), limit, _keySeconds]))!;
            var entries = ParseEntries((RedisResult[])result[2]!, newestFirst: false);
            return new RoomSnapshot((string)result[0]!, (long)result[1], entries);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            ScaleOutLog.OperationFailed(_logger, ex, "read room " + roomId);
            return null;
        }
    }

    /// <summary>Up to <paramref name="limit"/> kept messages before <paramref name="before"/>, oldest first; whether older ones remain; the epoch.</summary>
    public async Task<(string? Epoch, List<HistoryEntry> Entries, bool More)> HistoryPageAsync(string roomId, long before, int limit)
    {
        var keys = RedisKeys.Room(roomId);
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(RedisScripts.HistoryPage, [keys[1], keys[2]], [before, limit + 1]))!;
        var entries = ParseEntries((RedisResult[])result[1]!, newestFirst: true);
        var more = entries.Count > limit;
        if (more)
        {
            entries.RemoveAt(0);
        }

        return (result[0].IsNull ? null : (string)result[0]!, entries, more);
    }

    private List<HistoryEntry> ParseEntries(RedisResult[] raw, bool newestFirst)
    {
        var minStoredAt = MinStoredAtMs;
        var entries = new List<HistoryEntry>(raw.Length);
        for (var i = newestFirst ? raw.Length - 1 : 0; newestFirst ? i >= 0 : i < raw.Length; i += newestFirst ? -1 : 1)
        {
            if (TryParseEntry((byte[])raw[i]!, out var seq, out _, out var storedAt, out var json) && storedAt >= minStoredAt)
            {
                entries.Add(new HistoryEntry(seq, storedAt, json));
            }
        }

        return entries;
    }

    /// <summary>Publishes a complete notice to the user's channel; how many nodes hold the user.</summary>
    public Task<long> PublishUserAsync(string userId, byte[] message) => Subscriber.PublishAsync(RedisKeys.UserChannel(userId), message);

    public Task<long> PublishBroadcastAsync(byte[] message) => Subscriber.PublishAsync(RedisKeys.Broadcast, message);

    /// <summary>First byte of a disconnect request on a user's channel (chat messages there start with '{').</summary>
    private const byte DisconnectMarker = 0;

    /// <summary>
    /// Server API: asks the nodes holding the user's connections to close them (all, or the one
    /// numbered <paramref name="connection"/>) with 1008; returns how many nodes got it.
    /// Sent on the user's channel as 0x00, the connection number in decimal, a space, the reason.
    /// </summary>
    public Task<long> PublishDisconnectAsync(string userId, long connection, byte[] reason)
    {
        var number = System.Text.Encoding.ASCII.GetBytes(connection.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var message = new byte[1 + number.Length + 1 + reason.Length];
        message[0] = DisconnectMarker;
        number.CopyTo(message, 1);
        message[1 + number.Length] = (byte)' ';
        reason.CopyTo(message, 2 + number.Length);
        return Subscriber.PublishAsync(RedisKeys.UserChannel(userId), message);
    }

    internal static bool TryParseDisconnect(ReadOnlySpan<byte> message, out long connection, out byte[] reason)
    {
        reason = [];
        var rest = message[1..];
        if (!System.Buffers.Text.Utf8Parser.TryParse(rest, out connection, out var used) || used >= rest.Length || rest[used] != (byte)' ' || connection < 0)
        {
            return false;
        }

        reason = rest[(used + 1)..].ToArray();
        return true;
    }

    /// <summary>Connections the user holds on every live node.</summary>
    public async Task<int> OnlineAsync(string userId)
        => (int)(long)(await Db.ScriptEvaluateAsync(RedisScripts.Online, [RedisKeys.Nodes], [userId, _presenceSeconds]));

    /// <summary>Users in the room counted per live node, and up to <paramref name="max"/> distinct ids.</summary>
    public async Task<(int Count, string[] Ids)> MembersAsync(string roomId, int max)
    {
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(RedisScripts.Members, [RedisKeys.Nodes], [roomId, _presenceSeconds, max]))!;
        var ids = new string[result.Length - 1];
        for (var i = 1; i < result.Length; i++)
        {
            ids[i - 1] = (string)result[i]!;
        }

        return ((int)(long)result[0], ids);
    }

    /// <summary>A local connection opened (+1) or closed (-1): this node's count for the user.</summary>
    public void CountUser(string userId, int delta) => Count(RedisKeys.NodeUsers(NodeId), userId, delta);

    /// <summary>
    /// A local connection joined (+1) or left (-1) a room: counts it in Redis and publishes the
    /// presence event on the room's channel (when the room is within the presence limit
    /// cluster-wide), for every node's members — this node's too — to get in order with the room's
    /// messages. False when Redis could not be asked: the caller tells the local members itself.
    /// </summary>
    public bool TryRoomPresence(string roomId, string userId, long connectionId, int delta)
    {
        if (!IsConnected)
        {
            return false;
        }

        try
        {
            var task = Db.ScriptEvaluateAsync(
                RedisScripts.Presence,
                [RedisKeys.NodeRoom(NodeId, roomId), RedisKeys.RoomNodes(roomId), RedisKeys.NodeRooms(NodeId)],
                [userId, delta, _presenceKeySeconds, NodeId, connectionId, _options.PresenceLimit, "pipechat:room:" + roomId, roomId]);
            _ = task.ContinueWith(
                static (t, s) => ScaleOutLog.OperationFailed(((RedisScaleOut)s!)._logger, t.Exception!.GetBaseException(), "room presence"),
                this,
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            ScaleOutLog.OperationFailed(_logger, ex, "room presence");
            return false;
        }
    }

    private void Count(RedisKey key, string field, int delta)
    {
        if (!IsConnected)
        {
            return; // Rewritten whole after the reconnect.
        }

        try
        {
            Db.ScriptEvaluate(RedisScripts.Count, [key], [field, delta, _presenceKeySeconds], CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            ScaleOutLog.OperationFailed(_logger, ex, "presence count");
        }
    }

    private async Task HeartbeatAsync()
    {
        if (!IsConnected)
        {
            return;
        }

        ResyncIfNeeded();
        try
        {
            var db = Db;
            var ttl = TimeSpan.FromSeconds(_presenceKeySeconds);
            var heartbeat = db.ScriptEvaluateAsync(RedisScripts.Heartbeat, [RedisKeys.Nodes], [NodeId, _presenceSeconds, _options.PresenceLimit]);
            var batch = new List<Task>
            {
                heartbeat,
                db.KeyExpireAsync(RedisKeys.NodeUsers(NodeId), ttl),
                db.KeyExpireAsync(RedisKeys.NodeRooms(NodeId), ttl),
            };
            foreach (var roomId in InterestingRooms())
            {
                batch.Add(db.KeyExpireAsync(RedisKeys.NodeRoom(NodeId, roomId), ttl));
                batch.Add(db.KeyExpireAsync(RedisKeys.RoomNodes(roomId), ttl));
            }

            await Task.WhenAll(batch);
            if ((long)((RedisResult[])(await heartbeat)!)[1] > 0)
            {
                // Silent too long (paused, or cut off from Redis): the others reaped this node. Count its members again.
                ScaleOutLog.Reaped(_logger, NodeId);
                ScheduleResync();
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            ScaleOutLog.OperationFailed(_logger, ex, "heartbeat");
        }
    }

    /// <summary>Writes this node's presence from scratch (after Redis came back, perhaps empty).</summary>
    private async Task RewritePresenceAsync()
    {
        var db = Db;
        var ttl = TimeSpan.FromSeconds(_presenceKeySeconds);
        var usersKey = RedisKeys.NodeUsers(NodeId);
        var users = LocalUsers();
        var tasks = new List<Task> { db.KeyDeleteAsync(usersKey) };
        if (users.Count > 0)
        {
            tasks.Add(db.HashSetAsync(usersKey, [.. users.Select(u => new HashEntry(u.Key, u.Value))]));
            tasks.Add(db.KeyExpireAsync(usersKey, ttl));
        }

        var roomsKey = RedisKeys.NodeRooms(NodeId);
        tasks.Add(db.KeyDeleteAsync(roomsKey));
        foreach (var roomId in InterestingRooms())
        {
            var key = RedisKeys.NodeRoom(NodeId, roomId);
            var nodesKey = RedisKeys.RoomNodes(roomId);
            tasks.Add(db.KeyDeleteAsync(key));
            var connections = 0;
            if (_rooms.TryGetRoom(roomId, out var room))
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
        await HeartbeatAsync();
    }
}
