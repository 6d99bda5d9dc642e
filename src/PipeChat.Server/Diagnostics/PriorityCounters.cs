using System.Diagnostics.Metrics;
using PipeChat.Protocol.Chat;

namespace PipeChat.Server.Diagnostics;

/// <summary>
/// Room messages per priority (docs/protocol.md, live rooms under overload): published (given a
/// seq and fanned out), dropped by a room's ingress cap, and skipped for a member that fell behind
/// (once per member and message); plus counter updates sent. Plain fields, one Interlocked add
/// per message (never per recipient on the common path), published on the server's meter as
/// <c>pipechat.room.{high,normal,low}.{published,dropped,skipped}</c> and <c>pipechat.room.counter_updates</c>.
/// </summary>
public sealed class PriorityCounters
{
    private readonly long[] _published = new long[3];
    private readonly long[] _dropped = new long[3];
    private readonly long[] _skipped = new long[3];
    private long _counterUpdates;

    internal PriorityCounters(Meter meter)
    {
        foreach (var priority in (ReadOnlySpan<MessagePriority>)[MessagePriority.High, MessagePriority.Normal, MessagePriority.Low])
        {
            var name = MessagePriorities.Name(priority);
            var i = MessagePriorities.Rank(priority);
            meter.CreateObservableCounter($"pipechat.room.{name}.published", () => Volatile.Read(ref _published[i]), description: $"{name}-priority room messages published (numbered and fanned out)");
            meter.CreateObservableCounter($"pipechat.room.{name}.dropped", () => Volatile.Read(ref _dropped[i]), description: $"{name}-priority room messages dropped by a room's ingress cap (--room-max-rate)");
            meter.CreateObservableCounter($"pipechat.room.{name}.skipped", () => Volatile.Read(ref _skipped[i]), description: $"{name}-priority room messages skipped for a member that fell behind (per member)");
        }

        meter.CreateObservableCounter("pipechat.room.counter_updates", () => Volatile.Read(ref _counterUpdates), description: "coalesced room counter updates published");
    }

    public void Published(MessagePriority priority) => Interlocked.Increment(ref _published[MessagePriorities.Rank(priority)]);

    public void Dropped(MessagePriority priority) => Interlocked.Increment(ref _dropped[MessagePriorities.Rank(priority)]);

    public void Skipped(MessagePriority priority) => Interlocked.Increment(ref _skipped[MessagePriorities.Rank(priority)]);

    public void Skipped(MessagePriority priority, long count)
    {
        if (count > 0)
        {
            Interlocked.Add(ref _skipped[MessagePriorities.Rank(priority)], count);
        }
    }

    public void CounterUpdate() => Interlocked.Increment(ref _counterUpdates);

    public long PublishedCount(MessagePriority priority) => Volatile.Read(ref _published[MessagePriorities.Rank(priority)]);

    public long DroppedCount(MessagePriority priority) => Volatile.Read(ref _dropped[MessagePriorities.Rank(priority)]);

    public long SkippedCount(MessagePriority priority) => Volatile.Read(ref _skipped[MessagePriorities.Rank(priority)]);

    public long CounterUpdates => Volatile.Read(ref _counterUpdates);
}
