using Microsoft.Extensions.Logging;

namespace PipeChat.Server.Content;

/// <summary>Source-generated log messages of the content checks.</summary>
internal static partial class ContentLog
{
    [LoggerMessage(200, LogLevel.Information, "Word list {Path}: {Count} words loaded ({Skipped} lines longer than 128 characters skipped)")]
    public static partial void WordListLoaded(ILogger logger, string path, int count, int skipped);

    [LoggerMessage(201, LogLevel.Warning, "Word list {Path} could not be read again, the previous list stays in use: {Reason}")]
    public static partial void WordListReloadFailed(ILogger logger, string path, string reason);

    [LoggerMessage(202, LogLevel.Warning, "Word list {Path}: no file-change notifications ({Reason}); changes are noticed by polling")]
    public static partial void WordListWatchFailed(ILogger logger, string path, string reason);

    [LoggerMessage(203, LogLevel.Warning, "Publish hook failed ({Reason}); room messages are {Outcome} while it fails (--publish-hook-failure); {Suppressed} more failures since the last warning")]
    public static partial void HookFailed(ILogger logger, string reason, string outcome, long suppressed);

    [LoggerMessage(204, LogLevel.Information, "Publish hook: {Url} (timeout {TimeoutMs} ms, on failure: {Failure})")]
    public static partial void HookConfigured(ILogger logger, string url, int timeoutMs, string failure);
}
