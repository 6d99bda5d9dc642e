using Microsoft.Extensions.Logging;
using PipeChat.Server.Configuration;
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
}
