using PipeChat.Protocol.Framing;
using PipeChat.Server.Buffers;
using PipeChat.Server.Connections;
using PipeChat.Server.Tests.Rooms;

namespace PipeChat.Server.Tests.Sessions;

/// <summary>The outbound queue refuses, by itself, a frame that would take it past its byte limit.</summary>
public sealed class OutboundQueueLimitTests
{
    [Fact]
    public void A_frame_past_the_limit_is_refused_and_the_queue_is_unchanged()
    {
        var frame = SharedFrame.Create(WebSocketOpcode.Text, new byte[100]);
        var cost = FrameRing.Cost(frame);
        var queue = new OutboundQueue(maxQueuedBytes: 2 * cost);

        Assert.True(queue.TryEnqueue(frame, out _));
        Assert.True(queue.TryEnqueue(frame, out _));
        Assert.False(queue.TryEnqueue(frame, out var queued));

        Assert.Equal(2 * cost, queued);
        Assert.Equal(2 * cost, queue.QueuedBytes);
    }

    [Fact]
    public void The_first_frame_always_fits_and_taken_frames_free_their_bytes()
    {
        var big = SharedFrame.Create(WebSocketOpcode.Binary, new byte[1000]);
        var queue = new OutboundQueue(maxQueuedBytes: 10);
        var reader = new FakeConnection("reader");

        Assert.True(queue.TryEnqueue(big, out _));
        Assert.False(queue.TryEnqueue(big, out _));

        Assert.True(queue.TryDequeue(reader, out var taken, out var fromFeed));
        Assert.False(fromFeed);
        Assert.Same(big, taken);
        Assert.Equal(0, queue.QueuedBytes);
        Assert.True(queue.TryEnqueue(big, out _));
    }

    [Fact]
    public void Control_frames_are_queued_whatever_the_limit()
    {
        var frame = SharedFrame.Create(WebSocketOpcode.Text, new byte[100]);
        var queue = new OutboundQueue(maxQueuedBytes: FrameRing.Cost(frame));
        Assert.True(queue.TryEnqueue(frame, out _));

        queue.Enqueue(SharedFrame.Create(WebSocketOpcode.Close, default));

        Assert.True(queue.QueuedBytes > queue.MaxQueuedBytes);
    }
}
