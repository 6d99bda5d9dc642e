using PipeChat.Server.Buffers;
using PipeChat.Server.Connections;
using PipeChat.Server.Rooms;

namespace PipeChat.Benchmarks.Rooms;

/// <summary>
/// A connection that reads its rooms through a feed cursor, as a session does: woken by the
/// publish (lag checked against a limit), drained as its writer would.
/// </summary>
internal sealed class FeedQueueConnection(long id, string userId) : DrainedConnection(id, userId), IFeedReader
{
    private readonly OutboundQueue _queue = new();

    public override bool TrySend(SharedFrame frame)
    {
        frame.AddReference();
        _queue.Enqueue(frame);
        return true;
    }

    public void Subscribe(RoomFeed feed) => _queue.Subscribe(feed);

    public void Unsubscribe(RoomFeed feed) => _queue.Unsubscribe(feed);

    public bool Notify(RoomFeed feed, SharedFrame frame) => _queue.LagIn(feed) <= 256 * 1024;

    public override void Drain()
    {
        while (_queue.TryDequeue(this, out var frame, out _))
        {
            Sent(frame);
        }
    }
}
