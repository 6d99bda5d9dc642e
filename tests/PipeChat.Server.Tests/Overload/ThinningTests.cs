using System.Text;
using System.Text.Json;
using PipeChat.Protocol.Chat;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Buffers;
using PipeChat.Server.Connections;
using PipeChat.Server.Diagnostics;
using PipeChat.Server.Rooms;
using PipeChat.Server.Tests.Rooms;

namespace PipeChat.Server.Tests.Overload;

/// <summary>A member behind in a room skips low, then normal, never high, and is told what it skipped, in order.</summary>
public sealed class ThinningTests
{
    private const int FrameBytes = 100;

    [Fact]
    public void A_member_that_keeps_up_gets_every_message_and_no_skipped_event()
    {
        var (feed, queue, reader, _) = Setup(soft: 10 * FrameBytes, hard: 100 * FrameBytes);
        var sent = new List<string>();
        for (var seq = 1; seq <= 30; seq++)
        {
            feed.Append(Message(seq, (MessagePriority)(seq % 3)), null);
            sent.AddRange(Read(queue, reader));
        }

        Assert.Equal(Enumerable.Range(1, 30).Select(s => "m" + s), sent);
    }

    [Fact]
    public void Past_the_soft_limit_low_is_skipped_and_announced_before_the_next_message_delivered()
    {
        var (feed, queue, reader, counters) = Setup(soft: 5 * FrameBytes, hard: 1000 * FrameBytes);

        // seq 1..8 low, 9 normal, 10 high: 10 frames behind (twice the soft limit) when the writer looks.
        for (var seq = 1; seq <= 8; seq++)
        {
            feed.Append(Message(seq, MessagePriority.Low), null);
        }

        feed.Append(Message(9, MessagePriority.Normal), null);
        feed.Append(Message(10, MessagePriority.High), null);

        var got = Read(queue, reader);

        // Low is skipped while more than 5 frames behind (seq 1..5); from there on it is within the soft limit.
        Assert.Equal(["skipped 1-5 x5", "m6", "m7", "m8", "m9", "m10"], got);
        Assert.Equal(5, counters.SkippedCount(MessagePriority.Low));
        Assert.Equal(0, counters.SkippedCount(MessagePriority.Normal));
    }

    [Fact]
    public void Past_twice_the_soft_limit_normal_is_skipped_too_and_high_never()
    {
        var (feed, queue, reader, counters) = Setup(soft: 2 * FrameBytes, hard: 1000 * FrameBytes);
        var priorities = new[] { MessagePriority.Normal, MessagePriority.Low, MessagePriority.High, MessagePriority.Normal, MessagePriority.Low, MessagePriority.Normal, MessagePriority.Normal, MessagePriority.Low };
        for (var i = 0; i < priorities.Length; i++)
        {
            feed.Append(Message(i + 1, priorities[i]), null);
        }

        var got = Read(queue, reader);

        // 8 frames behind: normal 1 and low 2 go (more than 4 behind), high 3 is kept; normal 4 goes
        // (5 behind), low 5 too (4 behind: over the soft 2); normal 6 (3 behind) is within twice the soft limit.
        Assert.Equal(["skipped 1-2 x2", "m3", "skipped 4-5 x2", "m6", "m7", "m8"], got);
        Assert.Equal(2, counters.SkippedCount(MessagePriority.Low));
        Assert.Equal(2, counters.SkippedCount(MessagePriority.Normal));
        Assert.Equal(0, counters.SkippedCount(MessagePriority.High));
    }

    [Fact]
    public void Past_the_hard_limit_the_member_jumps_to_the_end_keeping_high_aside_in_order()
    {
        var (feed, queue, reader, counters) = Setup(soft: 2 * FrameBytes, hard: 10 * FrameBytes);
        for (var seq = 1; seq <= 40; seq++)
        {
            feed.Append(Message(seq, seq % 10 == 0 ? MessagePriority.High : MessagePriority.Normal), null);
        }

        Assert.True(queue.LagIn(feed) > queue.MaxQueuedBytes);
        Assert.True(queue.ThinBehind(feed, reader));
        Assert.Equal(0, queue.LagIn(feed));
        Assert.Equal(36, counters.SkippedCount(MessagePriority.Normal));

        feed.Append(Message(41, MessagePriority.Normal), null);
        var got = Read(queue, reader);

        Assert.Equal(["skipped 1-9 x9", "m10", "skipped 11-19 x9", "m20", "skipped 21-29 x9", "m30", "skipped 31-39 x9", "m40", "m41"], got);
    }

    [Fact]
    public void A_member_is_closed_only_when_high_priority_alone_overflows_its_hard_limit()
    {
        var (feed, queue, reader, _) = Setup(soft: 2 * FrameBytes, hard: 10 * FrameBytes);
        for (var seq = 1; seq <= 100; seq++)
        {
            feed.Append(Message(seq, MessagePriority.Low), null);
        }

        Assert.True(queue.ThinBehind(feed, reader));

        for (var seq = 101; seq <= 111; seq++)
        {
            feed.Append(Message(seq, MessagePriority.High), null);
        }

        // 11 high frames unread: more than the 10 frames the hard limit holds.
        Assert.False(queue.ThinBehind(feed, reader));
    }

    [Fact]
    public void Seqless_entries_are_skipped_without_being_counted_in_a_range()
    {
        var (feed, queue, reader, _) = Setup(soft: 2 * FrameBytes, hard: 1000 * FrameBytes);
        feed.Append(Message(1, MessagePriority.Low), null);
        feed.Append(Message(0, MessagePriority.Low), null);
        feed.Append(Message(2, MessagePriority.Low), null);
        feed.Append(Message(3, MessagePriority.Low), null);
        feed.Append(Message(4, MessagePriority.Normal), null);

        Assert.Equal(["skipped 1-2 x2", "m3", "m4"], Read(queue, reader));
    }

    private static (RoomFeed Feed, OutboundQueue Queue, FakeConnection Reader, PriorityCounters Counters) Setup(long soft, long hard)
    {
        var counters = new ServerMetrics().Priorities;
        var feed = new RoomFeed("r1");
        var queue = new OutboundQueue(hard, soft, counters);
        queue.Subscribe(feed);
        return (feed, queue, new FakeConnection("reader"), counters);
    }

    /// <summary>A sealed room message of exactly <see cref="FrameBytes"/> frame bytes: "m{seq}" padded (seq 0: a seqless event).</summary>
    private static SharedFrame Message(long seq, MessagePriority priority)
    {
        var text = ("m" + seq).PadRight(FrameBytes - 2);
        var frame = SharedFrame.Create(WebSocketOpcode.Text, Encoding.UTF8.GetBytes(text));
        Assert.Equal(FrameBytes, frame.Frame.Length);
        frame.Priority = priority;
        frame.Seq = seq;
        return frame;
    }

    /// <summary>Everything the writer would send now: messages as "m{seq}", skipped events as "skipped from-to xcount".</summary>
    private static List<string> Read(OutboundQueue queue, FakeConnection reader)
    {
        var got = new List<string>();
        while (queue.TryDequeue(reader, out var frame, out _))
        {
            var text = Encoding.UTF8.GetString(frame.Payload).Trim();
            if (text.StartsWith('{'))
            {
                var data = JsonDocument.Parse(text).RootElement.GetProperty("data");
                Assert.Equal("r1", data.GetProperty("roomid").GetString());
                got.Add($"skipped {data.GetProperty("from_seq").GetInt64()}-{data.GetProperty("to_seq").GetInt64()} x{data.GetProperty("count").GetInt64()}");
            }
            else if (text != "m0")
            {
                got.Add(text);
            }

            frame.Release();
        }

        return got;
    }
}
