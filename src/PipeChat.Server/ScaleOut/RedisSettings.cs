namespace PipeChat.Server.ScaleOut;

/// <summary>What the Redis router needs beyond <see cref="Routing.RoutingSettings"/> (docs/configuration.md).</summary>
/// <param name="Configuration">The StackExchange.Redis configuration string (--redis): one instance, or several endpoints of a Redis Cluster.</param>
/// <param name="PresenceSeconds">A node silent this long is reaped (--redis-presence-seconds).</param>
/// <param name="WaitReplicas">A room message is acknowledged once this many replicas have it (WAIT; --redis-wait-replicas); 0: once its master has it.</param>
internal sealed record RedisSettings(string Configuration, double PresenceSeconds, int WaitReplicas = 0);
