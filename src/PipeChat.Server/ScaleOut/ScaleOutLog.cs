using Microsoft.Extensions.Logging;

namespace PipeChat.Server.ScaleOut;

/// <summary>Source-generated log messages of the Redis backplane (nothing per message above Debug).</summary>
internal static partial class ScaleOutLog
{
    [LoggerMessage(100, LogLevel.Information, "Scale-out on Redis {Endpoint} as node {NodeId}")]
    public static partial void Starting(ILogger logger, string endpoint, string nodeId);

    [LoggerMessage(101, LogLevel.Warning, "Redis connection lost ({ConnectionType}, {FailureType}): serving local traffic only until it returns")]
    public static partial void ConnectionLost(ILogger logger, string connectionType, string failureType);

    [LoggerMessage(102, LogLevel.Information, "Redis connection restored ({ConnectionType}): resubscribing and catching up")]
    public static partial void ConnectionRestored(ILogger logger, string connectionType);

    [LoggerMessage(103, LogLevel.Warning, "Redis operation failed: {What}")]
    public static partial void OperationFailed(ILogger logger, Exception exception, string what);

    [LoggerMessage(105, LogLevel.Warning, "Node {NodeId} was silent past --redis-presence-seconds and the others reaped it (its members got leave events): counting its members again")]
    public static partial void Reaped(ILogger logger, string nodeId);

    [LoggerMessage(104, LogLevel.Debug, "Room {RoomId}: bad message from Redis dropped")]
    public static partial void BadMessage(ILogger logger, string roomId);
}
