using System.Buffers.Text;
using System.Collections.Concurrent;
using PipeChat.Protocol.Framing;
using PipeChat.Protocol.Chat;

namespace PipeChat.Server.Rooms;

/// <summary>
/// Orders a room's messages without a lock. Senders post a framed message to a lock-free
/// queue; whichever sender finds the outbox idle becomes its pump and, in queue order, stamps
/// each frame's seq (+1 per message) into the slot left blank for it (closing the gap, so
/// the JSON stays compact), seals it, fans the frame out to
/// the members and acks the sender. Other senders never wait: they enqueue and return. So
/// every member sees one room's messages in seq order, with no gap.
/// </summary>
internal sealed class RoomOutbox
{
    /// <summary>Messages one pump turn handles before handing the rest to the thread pool.</summary>
    private const int MaxBatch = 256;

    private readonly ConcurrentQueue<PendingRoomMessage> _pending = new();
    private int _pumping;

    public void Post(Room room, in PendingRoomMessage message)
    {
        _pending.Enqueue(message);
        if (Interlocked.CompareExchange(ref _pumping, 1, 0) == 0)
        {
            Pump(room);
        }
    }

    private void Pump(Room room)
    {
        while (true)
        {
            var handled = 0;
            while (handled < MaxBatch && _pending.TryDequeue(out var message))
            {
                Deliver(room, message);
                handled++;
            }

            if (handled == MaxBatch)
            {
                // Keep the pump role but give the sender's thread back: continue on the pool.
                ThreadPool.UnsafeQueueUserWorkItem(static state => state.Outbox.Pump(state.Room), (Outbox: this, Room: room), preferLocal: false);
                return;
            }

            Interlocked.Exchange(ref _pumping, 0);
            if (_pending.IsEmpty || Interlocked.CompareExchange(ref _pumping, 1, 0) != 0)
            {
                return;
            }
        }
    }

    private static void Deliver(Room room, in PendingRoomMessage message)
    {
        var seq = room.NextSeq();
        Span<byte> digits = stackalloc byte[ChatMessageWriter.SeqSlotWidth];
        Utf8Formatter.TryFormat(seq, digits, out var length);
        message.Frame.FillSlot(message.SeqSlot, ChatMessageWriter.SeqSlotWidth, digits[..length]);
        message.Frame.Seal(WebSocketOpcode.Text);
        room.Publish(message.Frame);
        message.Frame.Release();
        if (message.Ack is { } ack)
        {
            ack.FillSlot(message.AckSeqSlot, ChatMessageWriter.SeqSlotWidth, digits[..length]);
            ack.Seal(WebSocketOpcode.Text);
            message.Sender.TrySend(ack);
            ack.Release();
        }
    }
}
