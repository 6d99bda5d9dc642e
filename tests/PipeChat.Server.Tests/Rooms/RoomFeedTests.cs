using System.Text;
using PipeChat.Server.Buffers;
using PipeChat.Server.Connections;
using PipeChat.Server.Rooms;

namespace PipeChat.Server.Tests.Rooms;

public class RoomFeedTests
{
    [Fact]
    public void A_cursor_reads_every_entry_appended_after_it_opened_in_order_across_chunks()
    {
        var feed = new RoomFeed();
        var reader = new FakeConnection("r");
        feed.Append(Frame("before"), null);
        var cursor = feed.OpenCursor();
        for (var i = 0; i < 500; i++)
        {
            feed.Append(Frame("m" + i), null);
        }

        var read = Drain(cursor, reader);

        Assert.Equal(Enumerable.Range(0, 500).Select(i => "m" + i), read);
        Assert.Equal(0, cursor.Lag);
    }

    [Fact]
    public void Lag_counts_the_unread_frame_bytes_and_an_excluded_reader_skips_its_entry()
    {
        var feed = new RoomFeed();
        var me = new FakeConnection("me");
        var cursor = feed.OpenCursor();
        var a = Frame("aaaa");
        var b = Frame("bb");
        feed.Append(a, null);
        feed.Append(b, except: me);
        feed.Append(Frame("c"), null);

        Assert.Equal(a.Frame.Length + b.Frame.Length + 3, cursor.Lag);
        Assert.Equal(["aaaa", "c"], Drain(cursor, me));
        Assert.Equal(0, cursor.Lag);
    }

    [Fact]
    public void A_stopped_cursor_ends_where_the_feed_was_when_it_stopped()
    {
        var feed = new RoomFeed();
        var reader = new FakeConnection("r");
        var cursor = feed.OpenCursor();
        feed.Append(Frame("kept"), null);
        cursor.Stop();
        feed.Append(Frame("after"), null);

        Assert.False(cursor.Finished);
        Assert.Equal(["kept"], Drain(cursor, reader));
        Assert.True(cursor.Finished);
        Assert.Equal(0, cursor.Lag);
    }

    [Fact]
    public void The_outbound_queue_merges_its_own_frames_and_room_frames_in_the_order_they_were_queued()
    {
        var feed = new RoomFeed();
        var queue = new OutboundQueue();
        var reader = new FakeConnection("r");
        queue.Subscribe(feed);
        queue.Enqueue(Frame("joined"));
        queue.Enqueue(Frame("replayed"));
        feed.Append(Frame("live 1"), null);
        queue.Enqueue(Frame("ack 1"));
        feed.Append(Frame("live 2"), null);
        feed.Append(Frame("live 3"), null);
        queue.Enqueue(Frame("ack 3"));

        var sent = new List<string>();
        var owned = new List<bool>();
        while (queue.TryDequeue(reader, out var frame, out var fromFeed))
        {
            sent.Add(Encoding.UTF8.GetString(frame.Payload));
            owned.Add(fromFeed);
            frame.Release();
        }

        Assert.Equal(["joined", "replayed", "live 1", "ack 1", "live 2", "live 3", "ack 3"], sent);
        Assert.Equal([false, false, true, false, true, true, false], owned);
        Assert.False(queue.HasPending(reader));
    }

    [Fact]
    public void Leaving_keeps_what_was_published_before_and_a_rejoin_reads_on_with_no_duplicate()
    {
        var feed = new RoomFeed();
        var queue = new OutboundQueue();
        var reader = new FakeConnection("r");
        queue.Subscribe(feed);
        feed.Append(Frame("1"), null);
        queue.Unsubscribe(feed);
        feed.Append(Frame("2 (not a member)"), null);
        queue.Subscribe(feed);
        feed.Append(Frame("3"), null);

        Assert.Equal(["1", "3"], DrainQueue(queue, reader));
        Assert.Equal(0, queue.LagIn(feed));
    }

    [Fact]
    public void Dropping_the_feeds_forgets_unread_room_frames_but_keeps_own_frames()
    {
        var feed = new RoomFeed();
        var queue = new OutboundQueue();
        var reader = new FakeConnection("r");
        queue.Subscribe(feed);
        for (var i = 0; i < 100; i++)
        {
            feed.Append(Frame("room " + i), null);
        }

        Assert.True(queue.LagIn(feed) > 0);
        queue.Enqueue(Frame("close"));
        queue.DropFeeds();

        Assert.Equal(0, queue.LagIn(feed));
        Assert.Equal(["close"], DrainQueue(queue, reader));
    }

    [Fact]
    public void A_stalled_member_holds_a_cursor_and_no_queue_of_its_own()
    {
        var registry = new RoomRegistry();
        var stalled = new FeedOnlyConnection(limit: 1_000_000);
        var room = registry.Join("r", stalled).Room;
        for (var i = 0; i < 2_000; i++)
        {
            using var message = new Published("message " + i);
            room.Publish(message.Frame);
        }

        Assert.Equal(2_000, stalled.Notified);
        Assert.True(stalled.Queue.IsEmpty);
        Assert.Equal(Enumerable.Range(0, 2_000).Select(i => "message " + i), DrainQueue(stalled.Queue, stalled));
    }

    [Fact]
    public void A_member_past_its_limit_is_refused_and_its_cursor_dropped()
    {
        var registry = new RoomRegistry();
        var slow = new FeedOnlyConnection(limit: 1_000);
        var room = registry.Join("r", slow).Room;
        var accepted = 0;
        for (var i = 0; i < 200; i++)
        {
            using var message = new Published("message " + i);
            accepted += room.Publish(message.Frame);
        }

        Assert.True(slow.Closed);
        Assert.InRange(accepted, 1, 199);
        Assert.Equal(0, slow.Queue.LagIn(slow.Feed!));
        Assert.Empty(DrainQueue(slow.Queue, slow));
    }

    [Fact]
    public async Task One_publisher_and_one_reader_in_parallel_lose_and_reorder_nothing()
    {
        const int Count = 200_000;
        var feed = new RoomFeed();
        var queue = new OutboundQueue();
        var reader = new FakeConnection("r");
        queue.Subscribe(feed);
        var frames = Enumerable.Range(0, 64).Select(i => Frame("f" + i)).ToArray();
        var publisher = Task.Run(() =>
        {
            for (var i = 0; i < Count; i++)
            {
                feed.Append(frames[i % frames.Length], null);
                if (i % 1_000 == 0)
                {
                    queue.Enqueue(Frame("own " + i));
                }
            }
        });

        var next = 0;
        var own = 0;
        var deadline = Environment.TickCount64 + 60_000;
        while (next < Count && Environment.TickCount64 < deadline)
        {
            if (!queue.TryDequeue(reader, out var frame, out var fromFeed))
            {
                Thread.Yield();
                continue;
            }

            if (!fromFeed)
            {
                Assert.Equal("own " + (own * 1_000), Encoding.UTF8.GetString(frame.Payload));
                Assert.True(next > own * 1_000, "an own frame went out before the room frame queued ahead of it");
                own++;
                frame.Release();
                continue;
            }

            Assert.Same(frames[next % frames.Length], frame);
            frame.Release();
            next++;
        }

        await publisher.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Count, next);
    }

    [Fact]
    public void Chunks_every_cursor_has_passed_are_reclaimed_and_a_stalled_cursor_pins_them_until_dropped()
    {
        var feed = new RoomFeed();
        var reader = new FakeConnection("reader");
        var stalled = new OutboundQueue();
        var reading = new OutboundQueue();
        stalled.Subscribe(feed);
        reading.Subscribe(feed);
        var first = Frame("first");
        feed.Append(first, null);
        first.Release();
        Assert.Equal(["first"], DrainQueue(reading, reader));
        for (var i = 0; i < 1_000; i++)
        {
            using var message = new Published("m" + i);
            feed.Append(message.Frame, null);
            Assert.Single(DrainQueue(reading, reader));
        }

        // The stalled reader still needs every chunk from the first one on.
        Assert.True(feed.LiveChunks > 10, $"{feed.LiveChunks} chunks");
        Assert.Equal(1, first.ReferenceCount);

        stalled.DropFeeds();
        Assert.Equal(1, feed.LiveChunks);
        Assert.Empty(DrainQueue(stalled, reader));
    }

    [Fact]
    public void A_left_room_that_is_not_read_to_its_stop_is_let_go_after_the_grace_time()
    {
        var feed = new RoomFeed();
        var queue = new OutboundQueue();
        var reader = new FakeConnection("r");
        queue.Subscribe(feed);
        AppendPublished(feed, "before ", 100);

        queue.Unsubscribe(feed);
        AppendPublished(feed, "after ", 200);

        var now = Environment.TickCount64;
        queue.DropStaleStopped(now, 60_000);
        Assert.True(feed.LiveChunks > 3, "kept while within the grace time");
        Assert.True(queue.LagIn(feed) > 0);

        queue.DropStaleStopped(now + 120_000, 60_000);
        Assert.Equal(1, feed.LiveChunks);
        Assert.Empty(DrainQueue(queue, reader));
    }

    [Fact]
    public void A_closed_queue_refuses_a_late_subscription_so_it_pins_nothing()
    {
        var feed = new RoomFeed();
        var queue = new OutboundQueue();
        var reader = new FakeConnection("r");
        queue.Close();
        queue.Subscribe(feed);
        AppendPublished(feed, "m", 300);

        Assert.Equal(1, feed.LiveChunks);
        Assert.Equal(0, queue.LagIn(feed));
        Assert.Empty(DrainQueue(queue, reader));
    }

    private static SharedFrame Frame(string text) => FakeConnection.Text(text);

    /// <summary>Appends <paramref name="count"/> messages the publisher lets go of at once (the feed holds the only reference).</summary>
    private static void AppendPublished(RoomFeed feed, string prefix, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var message = new Published(prefix + i);
            feed.Append(message.Frame, null);
        }
    }

    private static List<string> Drain(FeedCursor cursor, IRoomMember reader)
    {
        var read = new List<string>();
        while (cursor.TryPeek(reader, out var entry))
        {
            cursor.Advance(entry);
            read.Add(Encoding.UTF8.GetString(entry.Frame.Payload));
        }

        return read;
    }

    private static List<string> DrainQueue(OutboundQueue queue, IRoomMember reader)
    {
        var read = new List<string>();
        while (queue.TryDequeue(reader, out var frame, out _))
        {
            read.Add(Encoding.UTF8.GetString(frame.Payload));
            frame.Release();
        }

        return read;
    }

    /// <summary>A frame the test publishes and then releases, as a room channel does.</summary>
    private readonly struct Published(string text) : IDisposable
    {
        public SharedFrame Frame { get; } = FakeConnection.Text(text);

        public void Dispose() => Frame.Release();
    }

    /// <summary>A member that reads rooms through a cursor, as a session does, and never drains it.</summary>
    private sealed class FeedOnlyConnection(long limit) : IRoomMember, IFeedReader
    {
        private static long s_nextId = 1_000_000;

        public OutboundQueue Queue { get; } = new();

        public RoomFeed? Feed { get; private set; }

        public int Notified { get; private set; }

        public bool Closed { get; private set; }

        public long ConnectionId { get; } = Interlocked.Increment(ref s_nextId);

        public string UserId => "stalled";

        public bool TrySend(SharedFrame frame) => throw new InvalidOperationException("room frames come through the feed");

        public void Subscribe(RoomFeed feed)
        {
            Feed = feed;
            Queue.Subscribe(feed);
        }

        public void Unsubscribe(RoomFeed feed) => Queue.Unsubscribe(feed);

        public bool Notify(RoomFeed feed, SharedFrame frame)
        {
            if (Closed)
            {
                return false;
            }

            if (Queue.LagIn(feed) > limit)
            {
                Closed = true;
                Queue.DropFeeds();
                return false;
            }

            Notified++;
            return true;
        }
    }
}
