using System.Buffers.Text;
using System.Collections.Concurrent;
using PipeChat.Protocol.Chat;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Buffers;

namespace PipeChat.Server.Rooms;

/// <summary>
/// The ordered stream of one room id: its seq, its epoch, its history, and a lock-free outbox.
/// Senders post encoded messages and return at once; whichever sender finds the channel free
/// becomes its owner and, in queue order, stamps each message's seq (+1 per message) into the
/// slot left blank for it, seals the frame, keeps it in the history, fans it out to the room and
/// acks the sender. Joins and history reads are queued the same way (<see cref="Run"/>), so they
/// happen between two messages (no gap, no duplicate) without their caller ever waiting for
/// ownership. The channel outlives empty rooms, so seq and history survive a room that empties
/// for a moment; it is retired once idle past the history age.
/// Another source of seqs (the Redis router, docs/scale-out.md) drives the channel through
/// queued <see cref="RoomChannelWork"/> and the owner-only members below; the channel itself
/// knows of no such source.
/// </summary>
internal sealed class RoomChannel
{
    /// <summary>Items one owner turn handles before handing the rest to the thread pool.</summary>
    private const int MaxBatch = 256;

    private readonly ConcurrentQueue<Entry> _pending = new();
    private readonly RoomHistory _history;
    private readonly RoomChannels? _home;
    private object? _sequencerState;
    private string _epoch;
    private int _owned;
    private long _lastSeq;
    private long _lastActivity;
    private bool _retired;

    /// <param name="home">The set this channel belongs to: work that reaches the channel after it was retired goes to the room's new channel there.</param>
    public RoomChannel(string roomId, int historySize, long historyMaxAgeMs, RoomChannels? home = null)
    {
        RoomId = roomId;
        _epoch = NewEpoch();
        _history = new RoomHistory(historySize, historyMaxAgeMs);
        _home = home;
        _lastActivity = Environment.TickCount64;
    }

    public string RoomId { get; }

    /// <summary>Identifies this run of seq numbers; a new channel (history lost) has a new epoch.</summary>
    public string Epoch => Volatile.Read(ref _epoch);

    public static string NewEpoch() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));

    public long LastSeq => Volatile.Read(ref _lastSeq);

    /// <summary>Owner only: the kept messages.</summary>
    public RoomHistory History => _history;

    public long LastActivity => Volatile.Read(ref _lastActivity);

    /// <summary>Whether the channel was retired (work queued on it then runs on the room's new channel).</summary>
    public bool IsRetired => Volatile.Read(ref _retired);

    /// <summary>Queues a message; if the channel is free, delivers it (and anything queued) now.</summary>
    public void Post(in PendingRoomMessage message)
    {
        _pending.Enqueue(new Entry(message, null));
        if (TryAcquire())
        {
            DrainAndRelease();
        }
    }

    /// <summary>
    /// Queues <paramref name="work"/> to run as the channel's owner, after every message queued
    /// before it and before any queued after it. If the channel is free it runs now, on this
    /// thread; otherwise the current owner runs it and this call returns at once (see
    /// <see cref="RoomChannelWork.Completion"/>).
    /// </summary>
    public void Run(RoomChannelWork work)
    {
        _pending.Enqueue(new Entry(default, work));
        if (TryAcquire())
        {
            DrainAndRelease();
        }
    }

    /// <summary>
    /// State that an outside source of seqs keeps with this channel (it lives and is retired with
    /// it), created once by whichever thread asks first; what it holds is the source's business
    /// (the Redis router touches it as the owner, except for one volatile flag).
    /// </summary>
    public T SequencerState<T>(Func<T> create)
        where T : class
    {
        if (Volatile.Read(ref _sequencerState) is T existing)
        {
            return existing;
        }

        Interlocked.CompareExchange(ref _sequencerState, create(), null);
        return (T)_sequencerState!;
    }

    /// <summary>Owner only: this run of seqs now has <paramref name="epoch"/> (first learnt from outside; history kept).</summary>
    public void SetEpoch(string epoch) => Volatile.Write(ref _epoch, epoch);

    /// <summary>Owner only: starts a new run of seqs (<paramref name="epoch"/>, last seq <paramref name="lastSeq"/>): the kept history is dropped.</summary>
    public void Restart(string epoch, long lastSeq)
    {
        Volatile.Write(ref _epoch, epoch);
        _history.Clear();
        Volatile.Write(ref _lastSeq, lastSeq);
    }

    /// <summary>Owner only: moves the last seq forward to <paramref name="lastSeq"/> with nothing delivered (no member saw the ones between).</summary>
    public void SkipTo(long lastSeq)
    {
        if (lastSeq > _lastSeq)
        {
            Volatile.Write(ref _lastSeq, lastSeq);
        }
    }

    /// <summary>Owner only: a sealed message numbered elsewhere (<paramref name="seq"/> after <see cref="LastSeq"/>) becomes the last one and is kept.</summary>
    public void Record(SharedFrame frame, long seq)
    {
        var now = Environment.TickCount64;
        frame.Seq = seq;
        Volatile.Write(ref _lastSeq, seq);
        Volatile.Write(ref _lastActivity, now);
        _history.Trim(now);
        _history.Append(frame, seq, now);
    }

    /// <summary>Retires the channel if it is free, has no room and has been idle longer than <paramref name="maxIdleMs"/>; it leaves its home before it is released.</summary>
    public bool TryRetire(long now, long maxIdleMs, Func<string, bool> roomExists, Action<RoomChannel>? removeFromHome = null)
    {
        if (!TryAcquire())
        {
            return false;
        }

        try
        {
            if (_retired || !_pending.IsEmpty || roomExists(RoomId) || now - LastActivity <= maxIdleMs)
            {
                return false;
            }

            Volatile.Write(ref _retired, true);
            _history.Clear();
            removeFromHome?.Invoke(this);
            return true;
        }
        finally
        {
            DrainAndRelease();
        }
    }

    private bool TryAcquire() => Interlocked.CompareExchange(ref _owned, 1, 0) == 0;

    private void DrainAndRelease()
    {
        while (true)
        {
            var handled = 0;
            while (handled < MaxBatch && _pending.TryDequeue(out var entry))
            {
                if (entry.Work is { } work)
                {
                    RunWork(work);
                }
                else
                {
                    Deliver(entry.Message);
                }

                handled++;
            }

            if (handled == MaxBatch)
            {
                // Keep ownership but give the sender's thread back: continue on the pool.
                ThreadPool.UnsafeQueueUserWorkItem(static channel => channel.DrainAndRelease(), this, preferLocal: false);
                return;
            }

            Interlocked.Exchange(ref _owned, 0);
            if (_pending.IsEmpty || !TryAcquire())
            {
                return;
            }
        }
    }

    private void RunWork(RoomChannelWork work)
    {
        if (_retired)
        {
            if (_home is { } home)
            {
                // Retired since the caller looked it up: the room's new channel runs it (this one is no longer in the set).
                home.GetOrCreate(RoomId).Run(work);
            }
            else
            {
                work.Finish(new InvalidOperationException("room channel retired"));
            }

            return;
        }

        Volatile.Write(ref _lastActivity, Environment.TickCount64);
        Exception? failure = null;
        try
        {
            work.Execute(this);
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        work.Finish(failure);
    }

    private void Deliver(in PendingRoomMessage message)
    {
        var now = Environment.TickCount64;
        var seq = _lastSeq + 1;
        Volatile.Write(ref _lastSeq, seq);
        Volatile.Write(ref _lastActivity, now);
        Span<byte> digits = stackalloc byte[ChatMessageWriter.SeqSlotWidth];
        Utf8Formatter.TryFormat(seq, digits, out var length);
        var frame = message.Frame;
        frame.FillSlot(message.SeqSlot, ChatMessageWriter.SeqSlotWidth, digits[..length]);
        frame.Seq = seq;
        frame.Seal(WebSocketOpcode.Text);
        _history.Trim(now);
        _history.Append(frame, seq, now);
        var room = message.Room ?? (message.Lookup is { } rooms && rooms.TryGetRoom(RoomId, out var found) ? found : null);
        room?.Publish(frame);
        frame.Release();
        if (message.Ack is { } ack)
        {
            ack.FillSlot(message.AckSeqSlot, ChatMessageWriter.SeqSlotWidth, digits[..length]);
            ack.Seal(WebSocketOpcode.Text);
            message.Sender!.TrySend(ack);
            ack.Release();
        }
    }

    /// <summary>A queued message, or queued work (<see cref="Work"/> set).</summary>
    private readonly record struct Entry(PendingRoomMessage Message, RoomChannelWork? Work);
}
