using System.Collections.Concurrent;
using PipeChat.Server.Buffers;
using PipeChat.Server.Connections;

namespace PipeChat.Benchmarks.Rooms;

/// <summary>A connection with a real outbound queue (as a session has), drained by <see cref="Drain"/> as its writer would.</summary>
internal sealed class QueueConnection(long id, string userId) : IChatConnection
{
    private readonly ConcurrentQueue<SharedFrame> _queue = new();

    public long ConnectionId { get; } = id;

    public string UserId { get; } = userId;

    public long Bytes { get; private set; }

    public bool TrySend(SharedFrame frame)
    {
        frame.AddReference();
        _queue.Enqueue(frame);
        return true;
    }

    public void Drain()
    {
        while (_queue.TryDequeue(out var frame))
        {
            Bytes += frame.Frame.Length;
            frame.Release();
        }
    }
}
