using System.IO.Hashing;
using System.Text;
using StackExchange.Redis;

namespace PipeChat.Server.ScaleOut;

/// <summary>
/// Every Redis key and channel PipeChat uses (docs/scale-out.md lists them). A room's keys and
/// its channel carry the room's hash tag (<c>{room id}</c>), so on a Redis Cluster they share one
/// slot: the room's scripts run on one shard and its sharded channel lives there too. A node's own
/// keys carry the node's tag. Build every new room key with <see cref="RoomKey"/>.
/// </summary>
internal static class RedisKeys
{
    public const string Prefix = "pipechat:";

    private const string RoomPrefix = Prefix + "room:";

    /// <summary>Sorted set: node id → last heartbeat (Redis TIME, ms).</summary>
    public static readonly RedisKey Nodes = Prefix + "nodes";

    /// <summary>Sharded: one channel every node listens to (broadcasts are rare; the room and user traffic is spread).</summary>
    public static readonly RedisChannel Broadcast = RedisChannel.Sharded(Prefix + "broadcast");

    /// <summary>
    /// The room's hash tag and id: <c>{id}</c>. An id containing <c>}</c> would end the tag early
    /// (and one starting with it would leave an empty tag, which Redis ignores), so such an id
    /// gets a tag of its hash, followed by the id itself: <c>{h:hash}id</c>. Either way every key
    /// of the room has the same tag, and no two rooms share a key.
    /// </summary>
    public static string RoomTag(string roomId)
    {
        if (!roomId.Contains('}', StringComparison.Ordinal))
        {
            return "{" + roomId + "}";
        }

        var hash = XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(roomId));
        return "{h:" + hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture) + "}" + roomId;
    }

    /// <summary>The room's key named <paramref name="suffix"/> (<c>pipechat:room:{id}:suffix</c>): in the room's slot.</summary>
    public static RedisKey RoomKey(string roomId, string suffix) => RoomPrefix + RoomTag(roomId) + ":" + suffix;

    /// <summary>Hash of the room's moderation: "ro" → 1, "m:user" / "b:user" → end of the mute / ban (unix ms, -1: until lifted); expires with its last entry.</summary>
    public static RedisKey RoomModeration(string roomId) => RoomKey(roomId, "moderation");

    /// <summary>Every node's copy of moderation follows the changes published here ("room\nfield\nvalue").</summary>
    public static readonly RedisChannel Moderation = RedisChannel.Literal(ModerationChannelName);

    /// <summary>The moderation channel's name (the change script publishes on it).</summary>
    public const string ModerationChannelName = Prefix + "moderation";

    /// <summary>The room's sharded channel: in the room's slot, so only its shard carries its traffic.</summary>
    public static RedisChannel RoomChannel(string roomId) => RedisChannel.Sharded(RoomChannelName(roomId));

    /// <summary>The room channel's name (the scripts publish on it).</summary>
    public static string RoomChannelName(string roomId) => RoomPrefix + RoomTag(roomId);

    /// <summary>Sharded, no tag: users' channels spread over the shards by the hash of the user id.</summary>
    public static RedisChannel UserChannel(string userId) => RedisChannel.Sharded(Prefix + "user:" + userId);

    /// <summary>The room's seq counter, its history (sorted set scored by seq) and its epoch.</summary>
    public static RedisKey[] Room(string roomId) => [RoomKey(roomId, "seq"), RoomKey(roomId, "history"), RoomKey(roomId, "epoch")];

    /// <summary>Hash user id → connections on this node (expires unless the node heartbeats).</summary>
    public static RedisKey NodeUsers(string nodeId) => Prefix + "node:{" + nodeId + "}:users";

    /// <summary>Hash user id → connections in the room on this node (in the room's slot; expires unless the node heartbeats).</summary>
    public static RedisKey NodeRoom(string nodeId, string roomId) => RoomKey(roomId, "node:" + nodeId);

    /// <summary>Set of the rooms this node has members in (what a reaper reads when the node dies).</summary>
    public static RedisKey NodeRooms(string nodeId) => Prefix + "node:{" + nodeId + "}:rooms";

    /// <summary>Hash user id → leaves of dropped connections held by the grace (in the room's slot).</summary>
    public static RedisKey RoomHeldLeaves(string roomId) => RoomKey(roomId, "held");

    /// <summary>Hash node id → member connections of the room on that node (the cluster-wide count of presence events).</summary>
    public static RedisKey RoomNodes(string roomId) => RoomKey(roomId, "nodes");

    /// <summary>
    /// The Redis Cluster slot of a key or channel name: CRC16 (XMODEM) of its hash tag (or of the
    /// whole name without one), mod 16384. Used by the spread test and the docs' figures.
    /// </summary>
    public static int Slot(string name)
    {
        var bytes = Encoding.UTF8.GetBytes(name);
        ReadOnlySpan<byte> hashed = bytes;
        var open = hashed.IndexOf((byte)'{');
        if (open >= 0)
        {
            var close = hashed[(open + 1)..].IndexOf((byte)'}');
            if (close > 0)
            {
                hashed = hashed.Slice(open + 1, close);
            }
        }

        ushort crc = 0;
        foreach (var b in hashed)
        {
            crc ^= (ushort)(b << 8);
            for (var i = 0; i < 8; i++)
            {
                crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
            }
        }

        return crc & 16383;
    }
}
