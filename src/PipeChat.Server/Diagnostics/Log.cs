using Microsoft.Extensions.Logging;

namespace PipeChat.Server.Diagnostics;

/// <summary>Source-generated log messages. Nothing here is logged per message at Information.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "PipeChat listening on {Scheme}://{Address}:{Port} (echo path: {EchoPath}, auth: {Auth})")]
    public static partial void Listening(ILogger logger, string scheme, string address, int port, string echoPath, string auth);

    [LoggerMessage(30, LogLevel.Information, "PipeChat HTTP endpoint on {Scheme}://{Address}:{Port}: /metrics, /healthz, web demo, server API {Api}")]
    public static partial void ListeningHttp(ILogger logger, string scheme, string address, int port, string api);

    [LoggerMessage(2, LogLevel.Debug, "Connection {ConnectionId} from {Address} refused at handshake: {Status} {Reason}")]
    public static partial void HandshakeRefused(ILogger logger, string connectionId, System.Net.IPAddress? address, int status, string reason);

    [LoggerMessage(3, LogLevel.Debug, "Connection {ConnectionId} closed by protocol error {Code}: {Reason}")]
    public static partial void ProtocolError(ILogger logger, string connectionId, int code, string reason);

    [LoggerMessage(4, LogLevel.Warning, "Connection {ConnectionId} ({UserId} from {Address}) closed as a slow consumer: {QueuedBytes} bytes queued")]
    public static partial void SlowConsumer(ILogger logger, string connectionId, string userId, System.Net.IPAddress? address, long queuedBytes);

    [LoggerMessage(5, LogLevel.Error, "Connection {ConnectionId} failed")]
    public static partial void ConnectionFailed(ILogger logger, Exception exception, string connectionId);

    [LoggerMessage(6, LogLevel.Debug, "Connection {ConnectionId} timed out: {What}")]
    public static partial void TimedOut(ILogger logger, string connectionId, string what);

    [LoggerMessage(8, LogLevel.Warning, "Connection {ConnectionId} dropped: too many connections from {Address}")]
    public static partial void TooManyFromAddress(ILogger logger, string connectionId, System.Net.IPAddress address);

    [LoggerMessage(10, LogLevel.Debug, "Connection {ConnectionId} from a trusted proxy: X-Forwarded-For / X-Real-IP unusable, counted as {Address}")]
    public static partial void ForwardedAddressUnusable(ILogger logger, string connectionId, System.Net.IPAddress address);

    [LoggerMessage(11, LogLevel.Warning, "Authentication is off (no --auth-secret) and the WebSocket port listens on {Bind}, not loopback: anyone who can reach it can pick any user id")]
    public static partial void AuthOffOnOpenBind(ILogger logger, string bind);

    [LoggerMessage(7, LogLevel.Information, "Shutting down: closing {Count} connections with 1001")]
    public static partial void ShuttingDown(ILogger logger, int count);

    [LoggerMessage(9, LogLevel.Information, "Memory trim after a connect burst ({Open} connections open): compacting collection paused {PauseMs:F1} ms, GC committed {BeforeMiB} -> {AfterMiB} MiB, heap {HeapMiB} MiB")]
    public static partial void MemoryTrimmed(ILogger logger, long open, double pauseMs, long beforeMiB, long afterMiB, long heapMiB);
}
