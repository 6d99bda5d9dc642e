using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using PipeChat.Protocol.Framing;

namespace PipeChat.Server.Tests.Sessions;

/// <summary>What the writer does when sending fails: a bug is logged, a connection that went away is not.</summary>
public sealed class WriterFailureTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_failure_that_is_not_a_connection_error_is_logged()
    {
        var output = (FailingWriter?)null;
        await using var harness = new SessionHarness(wrapOutput: inner => output = new FailingWriter(inner, () => new InvalidOperationException("writer bug")));
        await harness.UpgradeAsync();

        output!.Fail = true;
        await harness.SendFrameAsync(WebSocketOpcode.Ping, "p"u8);

        var entry = await WaitForEntryAsync(harness.Logger, e => e.Exception is InvalidOperationException);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Equal("writer bug", entry.Exception!.Message);
    }

    [Fact]
    public async Task A_connection_error_in_the_writer_is_not_logged_as_an_error()
    {
        var output = (FailingWriter?)null;
        await using var harness = new SessionHarness(wrapOutput: inner => output = new FailingWriter(inner, () => new ConnectionResetException("peer reset")));
        await harness.UpgradeAsync();

        output!.Fail = true;
        await harness.SendFrameAsync(WebSocketOpcode.Ping, "p"u8);
        await output.Failed.Task.WaitAsync(Timeout);

        // The read loop goes on; a client close ends the session normally.
        await harness.SendFrameAsync(WebSocketOpcode.Close, default);
        await harness.Run.WaitAsync(Timeout);
        Assert.DoesNotContain(harness.Logger.Entries, e => e.Level >= LogLevel.Error);
    }

    private static async Task<(LogLevel Level, EventId Id, Exception? Exception, string Message)> WaitForEntryAsync(
        RecordingLogger logger, Func<(LogLevel Level, EventId Id, Exception? Exception, string Message), bool> match)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            foreach (var entry in logger.Entries)
            {
                if (match(entry))
                {
                    return entry;
                }
            }

            await Task.Delay(10);
        }

        Assert.Fail($"no matching log entry; got: {string.Join(" | ", logger.Entries.Select(e => $"{e.Level} {e.Message}"))}");
        return default;
    }

    /// <summary>A pipe writer that, once <see cref="Fail"/> is set, throws from its flushes.</summary>
    private sealed class FailingWriter(PipeWriter inner, Func<Exception> failure) : PipeWriter
    {
        public volatile bool Fail;

        public TaskCompletionSource Failed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Advance(int bytes) => inner.Advance(bytes);

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            if (Fail)
            {
                Failed.TrySetResult();
                throw failure();
            }

            return inner.FlushAsync(cancellationToken);
        }
    }
}
