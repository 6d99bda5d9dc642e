using System.Collections.Concurrent;
using PipeChat.Server.Buffers;

namespace PipeChat.Benchmarks.Rooms;

/// <summary>A connection with a queue of frame references of its own (the design before the room feed).</summary>
internal sealed class QueueConnection(long id, string userId) : DrainedConnection(id, userId)
{
    private readonly ConcurrentQueue<SharedFrame> _queue = new();

    public override bool TrySend(SharedFrame frame)
    {
        frame.AddReference();
        _queue.Enqueue(frame);
        return true;
    }

    public override void Drain()
    {
        while (_queue.TryDequeue(out var frame))
        {
            Sent(frame);
        }
    }
}
