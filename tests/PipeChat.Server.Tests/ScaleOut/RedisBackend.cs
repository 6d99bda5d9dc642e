namespace PipeChat.Server.Tests.ScaleOut;

/// <summary>What PipeChat nodes are started against: one redis-server, or a Redis Cluster.</summary>
public interface IRedisBackend
{
    /// <summary>The value for --redis.</summary>
    string Endpoint { get; }
}
