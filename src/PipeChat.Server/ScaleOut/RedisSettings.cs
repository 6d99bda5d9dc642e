namespace PipeChat.Server.ScaleOut;

/// <summary>What the Redis router needs beyond <see cref="Routing.RoutingSettings"/> (docs/configuration.md).</summary>
/// <param name="Configuration">The StackExchange.Redis configuration string (--redis).</param>
/// <param name="PresenceSeconds">A node silent this long is reaped (--redis-presence-seconds).</param>
internal sealed record RedisSettings(string Configuration, double PresenceSeconds);
