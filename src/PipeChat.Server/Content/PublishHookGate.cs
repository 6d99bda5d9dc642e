using PipeChat.Protocol.Chat;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using PipeChat.Server.Rooms;

namespace PipeChat.Server.Content;

/// <summary>
/// The publish hook (--publish-hook, docs/hooks.md): before a member's room message gets its
/// seq, the app backend is asked (<see cref="PublishHookClient"/>) and answers allow, reject
/// (the sender gets error <c>rejected</c> with the backend's code as <c>reason</c>) or replace
/// (the message goes on with the backend's data). Calls for every message start at once; a room's
/// messages then leave in arrival order (<see cref="HookRoomLine"/>), and a sender's after its
/// earlier sends, so its acks keep request order. A hook that fails (unreachable, past
/// --publish-hook-timeout-ms, a bad answer) lets the message through with
/// <see cref="FailOpen"/>, otherwise refuses it (reason <c>hook_unavailable</c>).
/// </summary>
internal sealed class PublishHookGate(PublishHookClient client, bool failOpen, ILogger logger) : IRoomMessageGate
{
    private static readonly long s_logEvery = TimeSpan.FromSeconds(10).Ticks / TimeSpan.TicksPerMillisecond;

    private readonly ConcurrentDictionary<string, HookRoomLine> _lines = new();
    private readonly Action<HookEntry> _commit = Commit(failOpen);
    private long _lastWarning = long.MinValue / 2;
    private long _suppressed;

    public bool FailOpen => failOpen;

    public Task Submit(IRoomPublisher publisher, IRoomMember sender, Room room, ReadOnlySpan<byte> data, ReadOnlySpan<byte> reference, Task? previous, MessagePriority priority)
    {
        var entry = new HookEntry(publisher, sender, room, data.ToArray(), reference.ToArray(), priority);
        var line = HookRoomLine.Enter(_lines, room.Id, entry);
        _ = AskAsync(entry, line, previous);
        return entry.Done.Task;
    }

    public void Dispose() => client.Dispose();

    private async Task AskAsync(HookEntry entry, HookRoomLine line, Task? previous)
    {
        var verdict = await client.CheckAsync(entry.Room.Id, entry.Sender.UserId, entry.Data).ConfigureAwait(false);
        if (verdict.Kind == HookVerdictKind.Failed)
        {
            Warn(verdict.Code!);
        }

        if (previous is not null)
        {
            await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        entry.Verdict = verdict;
        line.MarkReady(entry, _commit);
    }

    private static Action<HookEntry> Commit(bool failOpen) => entry =>
    {
        Task published;
        try
        {
            var verdict = entry.Verdict;
            switch (verdict.Kind)
            {
                case HookVerdictKind.Reject:
                    Rejection.Send(entry.Sender, verdict.Code, entry.Reference);
                    entry.Done.TrySetResult();
                    return;
                case HookVerdictKind.Failed when !failOpen:
                    Rejection.Send(entry.Sender, Rejection.HookUnavailable, entry.Reference);
                    entry.Done.TrySetResult();
                    return;
                case HookVerdictKind.Replace:
                    published = entry.Publisher.Publish(entry.Sender, entry.Room.Id, entry.Room, entry.Sender.UserId, verdict.Data, entry.Reference, null, entry.Priority);
                    break;
                default:
                    published = entry.Publisher.Publish(entry.Sender, entry.Room.Id, entry.Room, entry.Sender.UserId, entry.Data, entry.Reference, null, entry.Priority);
                    break;
            }
        }
        catch (Exception ex)
        {
            entry.Done.TrySetException(ex);
            return;
        }

        if (published.IsCompleted)
        {
            entry.Done.TrySetResult();
        }
        else
        {
            published.ContinueWith(static (_, s) => ((TaskCompletionSource)s!).TrySetResult(), entry.Done, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    };

    /// <summary>Logs a failure at most once per 10 s, with the count of those not logged.</summary>
    private void Warn(string reason)
    {
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastWarning);
        if (now - last < s_logEvery || Interlocked.CompareExchange(ref _lastWarning, now, last) != last)
        {
            Interlocked.Increment(ref _suppressed);
            return;
        }

        ContentLog.HookFailed(logger, reason, failOpen ? "let through" : "refused", Interlocked.Exchange(ref _suppressed, 0));
    }
}
