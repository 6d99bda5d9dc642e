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

    public RoomFeed(string roomId = "")
    {
        RoomId = roomId;
        _head = _tail = new Chunk(FirstChunkSize);
    }

    /// <summary>The room's id (named in the <c>skipped</c> events of members that fall behind).</summary>
    public string RoomId { get; }

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
