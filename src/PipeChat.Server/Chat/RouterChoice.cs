using Microsoft.Extensions.Logging;
using PipeChat.Server.Configuration;
using PipeChat.Server.Diagnostics;
using PipeChat.Server.Rooms;
using PipeChat.Server.Routing;
using PipeChat.Server.ScaleOut;

namespace PipeChat.Server.Chat;

/// <summary>Picks the router at start-up: Redis with --redis, otherwise this node alone.</summary>
internal static class RouterChoice
{
    public static IChatRouter Create(ServerOptions options, LocalRouter local, ILoggerFactory loggerFactory, Action<string, long, byte[]> disconnectLocal)
        => options.Redis is { } redis
            ? new RedisRouter(local, new RedisSettings(redis, options.RedisPresenceSeconds, options.RedisWaitReplicas), loggerFactory.CreateLogger("PipeChat.ScaleOut"), disconnectLocal)
            : local;

    /// <summary>The moderation store: Redis with --redis (shared by every node, kept across restarts), otherwise this node's memory.</summary>
    public static IModeration CreateModeration(IChatRouter router, RoomRegistry rooms)
        => router is RedisRouter redis ? new RedisModeration(redis.Link, rooms) : new LocalModeration();

    /// <summary>Room counters: through Redis with --redis, otherwise this node's.</summary>
    public static ICounterHub CreateCounters(ServerOptions options, RoomRegistry rooms, PriorityCounters? counters, ILoggerFactory loggerFactory)
        => options.Redis is { } redis
            ? new RedisCounterHub(new RedisSettings(redis, options.RedisPresenceSeconds), rooms, options.CounterIntervalMs, counters, loggerFactory.CreateLogger("PipeChat.ScaleOut"))
            : new LocalCounterHub(rooms, options.CounterIntervalMs, counters);
}
