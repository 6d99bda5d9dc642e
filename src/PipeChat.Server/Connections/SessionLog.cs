using Microsoft.Extensions.Logging;

namespace PipeChat.Server.Connections;

/// <summary>Log messages of the session's own steps that Diagnostics/Log.cs does not have.</summary>
internal static partial class SessionLog
{
    [LoggerMessage(40, LogLevel.Error, "Connection {ConnectionId}: sending failed; queued frames dropped")]
    public static partial void WriterFailed(ILogger logger, Exception exception, string connectionId);
}
