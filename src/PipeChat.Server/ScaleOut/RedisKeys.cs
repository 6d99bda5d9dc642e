using StackExchange.Redis;

namespace PipeChat.Server.ScaleOut;

/// <summary>Every Redis key and channel PipeChat uses (docs/scale-out.md lists them).</summary>
internal static class RedisKeys
{
    public const string Prefix = "pipechat:";

    /// <summary>Sorted set: node id → last heartbeat (Redis TIME, ms).</summary>
    public static readonly RedisKey Nodes = Prefix + "nodes";

    public static readonly RedisChannel Broadcast = RedisChannel.Literal(Prefix + "broadcast");

    public static RedisChannel RoomChannel(string roomId) => RedisChannel.Literal(RoomChannelName(roomId));

    /// <summary>The room channel's name (the scripts publish on it).</summary>
    public static string RoomChannelName(string roomId) => Prefix + "room:" + roomId;

    public static RedisChannel UserChannel(string userId) => RedisChannel.Literal(Prefix + "user:" + userId);

    /// <summary>The room's seq counter, its epoch, and its history (sorted set scored by seq).</summary>
    public static RedisKey[] Room(string roomId)
    {
        var key = Prefix + "room:" + roomId;
        return [key + ":seq", key + ":history", key + ":epoch"];
    }

    /// <summary>A room-scoped key: the room's own key prefix and <paramref name="suffix"/> (so it follows the room's other keys).</summary>
    public static RedisKey RoomKey(string roomId, string suffix) => Prefix + "room:" + roomId + ":" + suffix;

    /// <summary>Hash of the room's moderation: "ro" → 1, "m:user" / "b:user" → end of the mute / ban (unix ms, -1: until lifted); expires with its last entry.</summary>
    public static RedisKey RoomModeration(string roomId) => RoomKey(roomId, "moderation");

    /// <summary>Every node's copy of moderation follows the changes published here ("room\nfield\nvalue").</summary>
    public static readonly RedisChannel Moderation = RedisChannel.Literal(ModerationChannelName);

    /// <summary>The moderation channel's name (the change script publishes on it).</summary>
    public const string ModerationChannelName = Prefix + "moderation";

    /// <summary>Hash user id → connections on this node (expires unless the node heartbeats).</summary>
    public static RedisKey NodeUsers(string nodeId) => Prefix + "node:" + nodeId + ":users";

    /// <summary>Hash user id → connections in the room on this node (expires unless the node heartbeats).</summary>
    public static RedisKey NodeRoom(string nodeId, string roomId) => Prefix + "node:" + nodeId + ":room:" + roomId;

    /// <summary>Set of the rooms this node has members in (what a reaper reads when the node dies).</summary>
    public static RedisKey NodeRooms(string nodeId) => Prefix + "node:" + nodeId + ":rooms";

    /// <summary>Hash node id → member connections of the room on that node (the cluster-wide count of presence events).</summary>
    public static RedisKey RoomNodes(string roomId) => Prefix + "room:" + roomId + ":nodes";
}
