using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace PipeChat.Server.Tests.Sessions;

/// <summary>Keeps every log entry (level, event id, exception) for assertions.</summary>
internal sealed class RecordingLogger : ILogger
{
    public ConcurrentQueue<(LogLevel Level, EventId Id, Exception? Exception, string Message)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        => Entries.Enqueue((logLevel, eventId, exception, formatter(state, exception)));
}
