using System.Diagnostics;
using PipeChat.Server.Buffers;

namespace PipeChat.Server.Rooms;

/// <summary>
/// A room's fan-out queue: every frame published to the room is appended here once, and each
/// member connection reads it through its own <see cref="FeedCursor"/> instead of getting a
/// reference in a queue of its own. A member that falls behind costs one cursor, not a queue of
/// references: the frames it has not read yet are the room's, shared by every member behind,
/// so a thousand stalled readers hold what one would (bounded by <c>--max-queued-bytes</c> of
/// lag, past which the member is closed and its cursor dropped).
/// <para>
/// The feed is a forward-linked list of chunks. Appends take a short lock (publishers of one
/// room are usually the room channel's single owner; presence events may race it); readers never
/// lock: an entry is published by the release-store of its chunk's count, and entries below
/// the count never change. Each chunk counts the cursors in it (plus one for the feed while it is
/// the tail); a cursor pins the next chunk before it unpins the one it leaves, and chunks are
/// reclaimed strictly oldest first, once unpinned: their frames' references are then released
/// (back to the pool unless a writer or the history still holds them).
/// </para>
/// </summary>
internal sealed class RoomFeed
{
    private const int FirstChunkSize = 4;
    private const int MaxChunkSize = 64;
    private static readonly BoundedPool<Chunk> s_chunks = new(1024);
    private static long s_stamp;

    private readonly Lock _lock = new();
    private Chunk _head;
    private Chunk _tail;
    private long _bytes;

    public RoomFeed()
    {
        _head = _tail = new Chunk(FirstChunkSize);
    }

    /// <summary>Frame bytes appended since the feed was created (readers' lag is measured against it).</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Chunks not reclaimed yet (tests and diagnostics).</summary>
    internal int LiveChunks
    {
        get
        {
            lock (_lock)
            {
                var n = 1;
                for (var c = _head; !ReferenceEquals(c, _tail); c = c.Next!)
                {
                    n++;
                }

                return n;
            }
        }
    }

    /// <summary>
    /// A process-wide order shared by every feed and every connection's own queue: a writer that
    /// merges its private frames with its rooms' feeds sends them in the order they were queued.
    /// </summary>
    internal static long NextStamp() => Interlocked.Increment(ref s_stamp);

    /// <summary>Appends a sealed frame (taking a reference until its chunk is reclaimed); <paramref name="except"/> skips it.</summary>
    internal void Append(SharedFrame frame, IRoomMember? except)
    {
        frame.AddReference();
        lock (_lock)
        {
            var tail = _tail;
            if (tail.Count == tail.Entries.Length)
            {
                var next = NewChunk(Math.Min(tail.Entries.Length * 2, MaxChunkSize));
                Volatile.Write(ref tail.Next, next);
                _tail = next;
                if (Interlocked.Decrement(ref tail.Pins) == 0)
                {
                    ReclaimLocked();
                }

                tail = next;
            }

            var end = _bytes + frame.Frame.Length;
            tail.Entries[tail.Count] = new Entry(frame, NextStamp(), end, except);
            Volatile.Write(ref _bytes, end);
            Volatile.Write(ref tail.Count, tail.Count + 1);
        }
    }

    /// <summary>A cursor at the end of the feed: it reads only what is appended from now on.</summary>
    internal FeedCursor OpenCursor()
    {
        lock (_lock)
        {
            Interlocked.Increment(ref _tail.Pins);
            return new FeedCursor(this, _tail, _tail.Count, _bytes);
        }
    }

    /// <summary>A cursor leaves <paramref name="chunk"/> (moved on, or dropped).</summary>
    internal void Unpin(Chunk chunk)
    {
        if (Interlocked.Decrement(ref chunk.Pins) == 0)
        {
            lock (_lock)
            {
                ReclaimLocked();
            }
        }
    }

    private void ReclaimLocked()
    {
        while (!ReferenceEquals(_head, _tail) && Volatile.Read(ref _head.Pins) == 0)
        {
            var chunk = _head;
            _head = chunk.Next!;
            var entries = chunk.Entries;
            for (var i = 0; i < chunk.Count; i++)
            {
                entries[i].Frame.Release();
                entries[i] = default;
            }

            // No cursor is in it or behind it, and the feed has moved on: it can be reused.
            chunk.Next = null;
            if (entries.Length == MaxChunkSize)
            {
                s_chunks.Return(chunk);
            }
        }
    }

    private static Chunk NewChunk(int size)
    {
        if (size == MaxChunkSize && s_chunks.TryRent(out var chunk))
        {
            chunk.Count = 0;
            chunk.Pins = 1;
            return chunk;
        }

        return new Chunk(size);
    }

    internal readonly record struct Entry(SharedFrame Frame, long Stamp, long EndBytes, IRoomMember? Except);

    internal sealed class Chunk(int size)
    {
        public readonly Entry[] Entries = new Entry[size];
        public int Count;
        public Chunk? Next;

        /// <summary>Cursors in this chunk, plus one held by the feed while it is the tail.</summary>
        public int Pins = 1;
    }
}

/// <summary>
/// One member's read position in a <see cref="RoomFeed"/>, pinning the chunk it is in. Read,
/// advanced and dropped only under its connection's queue lock (<c>Connections/OutboundQueue</c>);
/// <see cref="Lag"/> may be read from any thread. A cursor may be given a stop (the member left
/// the room, or is closing): it then ends at the feed's length at that moment.
/// </summary>
internal sealed class FeedCursor
{
    private RoomFeed.Chunk? _chunk;
    private int _index;
    private long _bytes;
    private long _stopAt = long.MaxValue;
    private long _stoppedAtTick;

    internal FeedCursor(RoomFeed feed, RoomFeed.Chunk chunk, int index, long bytes)
    {
        Feed = feed;
        _chunk = chunk;
        _index = index;
        _bytes = bytes;
    }

    public RoomFeed Feed { get; }

    /// <summary>Frame bytes appended to the feed that this reader has not taken yet.</summary>
    public long Lag => _chunk is null ? 0 : Math.Min(Feed.Bytes, Volatile.Read(ref _stopAt)) - Volatile.Read(ref _bytes);

    /// <summary>True once a stopped cursor has taken everything before its stop, or it was dropped: it can be forgotten.</summary>
    public bool Finished => _chunk is null || Volatile.Read(ref _bytes) >= Volatile.Read(ref _stopAt);

    /// <summary>When the cursor was stopped (<see cref="Environment.TickCount64"/>), 0 while it runs.</summary>
    public long StoppedAt => Volatile.Read(ref _stoppedAtTick);

    /// <summary>Ends the cursor at the feed's current length (entries appended later are not read).</summary>
    public void Stop()
    {
        var end = Feed.Bytes;
        if (end < Volatile.Read(ref _stopAt))
        {
            Volatile.Write(ref _stopAt, end);
            Interlocked.CompareExchange(ref _stoppedAtTick, Math.Max(1, Environment.TickCount64), 0);
        }
    }

    /// <summary>Unpins the cursor's chunk; the cursor reads nothing more.</summary>
    public void Drop()
    {
        if (_chunk is { } chunk)
        {
            _chunk = null;
            Feed.Unpin(chunk);
        }
    }

    /// <summary>
    /// The next entry for <paramref name="reader"/> (entries it is excluded from are skipped),
    /// without taking it; false when there is none now (or the cursor reached its stop).
    /// </summary>
    public bool TryPeek(IRoomMember reader, out RoomFeed.Entry entry)
    {
        while (_chunk is { } chunk)
        {
            if (_index < Volatile.Read(ref chunk.Count))
            {
                entry = chunk.Entries[_index];
                if (entry.EndBytes > Volatile.Read(ref _stopAt))
                {
                    break;
                }

                if (ReferenceEquals(entry.Except, reader))
                {
                    Advance(entry);
                    continue;
                }

                return true;
            }

            if (_index == chunk.Entries.Length && Volatile.Read(ref chunk.Next) is { } next)
            {
                // Pin the next chunk before leaving this one: chunks are reclaimed oldest first.
                Interlocked.Increment(ref next.Pins);
                _chunk = next;
                _index = 0;
                Feed.Unpin(chunk);
                continue;
            }

            break;
        }

        entry = default;
        return false;
    }

    /// <summary>Takes the entry <see cref="TryPeek"/> returned.</summary>
    public void Advance(in RoomFeed.Entry entry)
    {
        Debug.Assert(ReferenceEquals(_chunk!.Entries[_index].Frame, entry.Frame));
        _index++;
        Volatile.Write(ref _bytes, entry.EndBytes);
    }
}
