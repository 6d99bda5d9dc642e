using PipeChat.Protocol.Chat;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Buffers;
using PipeChat.Server.Diagnostics;
using PipeChat.Server.Rooms;

namespace PipeChat.Server.Connections;

/// <summary>
/// What a member that falls behind in a room skips (docs/protocol.md): with more than the soft
/// limit (<c>--thin-after-bytes</c>) unread, low-priority messages; with more than twice that,
/// normal ones too; high-priority never (a member is closed as a slow consumer only when those
/// alone overflow <c>--max-queued-bytes</c>). The skipped runs are announced in order with
/// <c>skipped</c> events. Only ever called for a member that is behind.
/// </summary>
internal static class MemberThinning
{
    public static bool ShouldSkip(FeedCursor cursor, in RoomFeed.Entry entry, long softLimit)
    {
        if (cursor.InDetour(entry))
        {
            return false;
        }

        return entry.Frame.Priority switch
        {
            MessagePriority.Low => true,
            MessagePriority.Normal => cursor.Lag > 2 * softLimit,
            _ => false,
        };
    }

    /// <summary>A sealed <c>skipped</c> event for <paramref name="range"/> with one reference for the caller.</summary>
    public static SharedFrame SkippedEvent(string roomId, SkipRange range)
    {
        var frame = SharedFrame.Rent(128 + (roomId.Length * 6));
        OverloadMessageWriter.WriteSkipped(frame, roomId, range.From, range.To, range.Count);
        frame.Seal(WebSocketOpcode.Text);
        return frame;
    }

    public static void Count(PriorityCounters? counters, ReadOnlySpan<int> skippedByRank)
    {
        if (counters is null)
        {
            return;
        }

        counters.Skipped(MessagePriority.Low, skippedByRank[0]);
        counters.Skipped(MessagePriority.Normal, skippedByRank[1]);
    }
}
