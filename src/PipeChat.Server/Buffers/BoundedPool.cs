using System.Collections.Concurrent;

namespace PipeChat.Server.Buffers;

/// <summary>
/// A lock-free pool of reusable objects that keeps at most <paramref name="capacity"/> of them, so a
/// burst does not park its peak in memory for good. Shared by every thread.
/// </summary>
internal sealed class BoundedPool<T>(int capacity)
    where T : class
{
    private readonly ConcurrentQueue<T> _items = new();
    private int _count;

    public bool TryRent(out T item)
    {
        if (_items.TryDequeue(out item!))
        {
            Interlocked.Decrement(ref _count);
            return true;
        }

        return false;
    }

    /// <summary>Keeps <paramref name="item"/> for reuse; false (not kept) when the pool is full.</summary>
    public bool Return(T item)
    {
        if (Interlocked.Increment(ref _count) <= capacity)
        {
            _items.Enqueue(item);
            return true;
        }

        Interlocked.Decrement(ref _count);
        return false;
    }
}
