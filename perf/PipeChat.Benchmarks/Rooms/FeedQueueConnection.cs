using PipeChat.Server.Buffers;
using PipeChat.Server.Connections;
using PipeChat.Server.Rooms;

namespace PipeChat.Benchmarks.Rooms;

/// <summary>
/// A connection that reads its rooms through a feed cursor, as a session does: woken by the
/// publish (lag checked against a limit), drained by <see cref="Drain"/> as its writer would.
/// </summary>
internal sealed class FeedQueueConnection(long id, string userId) : IChatConnection, IFeedReader
{
    private readonly OutboundQueue _queue = new();

    public long ConnectionId { get; } = id;

    public string UserId { get; } = userId;

    public long Bytes { get; private set; }

    public bool TrySend(SharedFrame frame)
    {
        frame.AddReference();
        _queue.Enqueue(frame);
        return true;
    }

    public void Subscribe(RoomFeed feed) => _queue.Subscribe(feed);

    public void Unsubscribe(RoomFeed feed) => _queue.Unsubscribe(feed);

    public bool Notify(RoomFeed feed, SharedFrame frame) => _queue.LagIn(feed) <= 256 * 1024;

    public void Drain()
    {
        while (_queue.TryDequeue(this, out var frame, out _))
        {
            Bytes += frame.Frame.Length;
            frame.Release();
        }
    }
}
