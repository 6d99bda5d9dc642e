using PipeChat.Server.Buffers;

namespace PipeChat.Server.Connections;

/// <summary>
/// A connection's outbound frames: a small ring that grows by doubling, guarded by a lock held
/// only for an array store or load (producers are the room pumps and other connections, the
/// consumer is the connection's single writer, so it is almost never contended). It starts with
/// no array and <see cref="TrimIfEmpty"/> drops the array again, so an idle connection holds none
/// (a <c>ConcurrentQueue</c> keeps a 32-slot segment, ≈ 800 bytes, for its whole life).
/// </summary>
internal sealed class OutboundQueue
{
    private const int InitialCapacity = 4;
    private SharedFrame?[]? _items;
    private int _head;
    private int _count;

    public bool IsEmpty => Volatile.Read(ref _count) == 0;

    public void Enqueue(SharedFrame frame)
    {
        lock (this)
        {
            var items = _items;
            if (items is null)
            {
                items = _items = new SharedFrame?[InitialCapacity];
            }
            else if (_count == items.Length)
            {
                var larger = new SharedFrame?[items.Length * 2];
                for (var i = 0; i < _count; i++)
                {
                    larger[i] = items[(_head + i) & (items.Length - 1)];
                }

                items = _items = larger;
                _head = 0;
            }

            items[(_head + _count) & (items.Length - 1)] = frame;
            Volatile.Write(ref _count, _count + 1);
        }
    }

    public bool TryDequeue(out SharedFrame frame)
    {
        lock (this)
        {
            if (_count == 0)
            {
                frame = null!;
                return false;
            }

            var items = _items!;
            frame = items[_head]!;
            items[_head] = null;
            _head = (_head + 1) & (items.Length - 1);
            Volatile.Write(ref _count, _count - 1);
            return true;
        }
    }

    /// <summary>Drops the array of an empty queue (called for idle connections by the heartbeat).</summary>
    public void TrimIfEmpty()
    {
        if (_items is null || !IsEmpty)
        {
            return;
        }

        lock (this)
        {
            if (_count == 0)
            {
                _items = null;
                _head = 0;
            }
        }
    }
}
