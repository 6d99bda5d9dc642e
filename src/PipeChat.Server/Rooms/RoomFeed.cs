using System.Diagnostics;
using PipeChat.Server.Buffers;
using PipeChat.Server.Connections;

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
/// the count never change. Chunks and the frames in them are owned by the garbage collector: a
/// chunk is collected once the feed has moved past it and no cursor points into it, so frames
/// appended here take one reference that is never given back (they are not returned to the
/// frame pool; a room message costs one frame allocation, not one per member).
/// </para>
/// </summary>
internal sealed class RoomFeed
{
    private const int FirstChunkSize = 4;
    private const int MaxChunkSize = 64;
    private static long s_stamp;

    private readonly Lock _lock = new();
    private Chunk _tail = new(FirstChunkSize);
    private long _bytes;

    /// <summary>Frame bytes appended since the feed was created (readers' lag is measured against it).</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>
    /// A process-wide order shared by every feed and every connection's own queue: a writer that
    /// merges its private frames with its rooms' feeds sends them in the order they were queued.
    /// </summary>
    internal static long NextStamp() => Interlocked.Increment(ref s_stamp);

    /// <summary>Appends a sealed frame (taking the feed's lasting reference); <paramref name="except"/> skips it.</summary>
    internal void Append(SharedFrame frame, IChatConnection? except)
    {
        frame.AddReference();
        lock (_lock)
        {
            var tail = _tail;
            if (tail.Count == tail.Entries.Length)
            {
                var next = new Chunk(Math.Min(tail.Entries.Length * 2, MaxChunkSize));
                Volatile.Write(ref tail.Next, next);
                _tail = tail = next;
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
            return new FeedCursor(this, _tail, _tail.Count, _bytes);
        }
    }

    internal readonly record struct Entry(SharedFrame Frame, long Stamp, long EndBytes, IChatConnection? Except);

    internal sealed class Chunk(int size)
    {
        public readonly Entry[] Entries = new Entry[size];
        public int Count;
        public Chunk? Next;
    }
}

/// <summary>
/// One member's read position in a <see cref="RoomFeed"/>. Read and advanced only by the
/// member's writer; <see cref="Lag"/> may be read from any thread. A cursor may be given a stop
/// (the member left the room, or is closing): it then ends at the feed's length at that moment.
/// </summary>
internal sealed class FeedCursor
{
    private RoomFeed.Chunk _chunk;
    private int _index;
    private long _bytes;
    private long _stopAt = long.MaxValue;

    internal FeedCursor(RoomFeed feed, RoomFeed.Chunk chunk, int index, long bytes)
    {
        Feed = feed;
        _chunk = chunk;
        _index = index;
        _bytes = bytes;
    }

    public RoomFeed Feed { get; }

    /// <summary>Frame bytes appended to the feed that this reader has not taken yet.</summary>
    public long Lag => Math.Min(Feed.Bytes, Volatile.Read(ref _stopAt)) - Volatile.Read(ref _bytes);

    /// <summary>True once a stopped cursor has taken everything before its stop: it can be dropped.</summary>
    public bool Finished => Volatile.Read(ref _bytes) >= Volatile.Read(ref _stopAt);

    /// <summary>Ends the cursor at the feed's current length (entries appended later are not read).</summary>
    public void Stop()
    {
        var end = Feed.Bytes;
        if (end < Volatile.Read(ref _stopAt))
        {
            Volatile.Write(ref _stopAt, end);
        }
    }

    /// <summary>
    /// The next entry for <paramref name="reader"/> (entries it is excluded from are skipped),
    /// without taking it; false when there is none now (or the cursor reached its stop).
    /// </summary>
    public bool TryPeek(IChatConnection reader, out RoomFeed.Entry entry)
    {
        while (true)
        {
            var chunk = _chunk;
            if (_index < Volatile.Read(ref chunk.Count))
            {
                entry = chunk.Entries[_index];
                if (entry.EndBytes > Volatile.Read(ref _stopAt))
                {
                    return false;
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
                _chunk = next;
                _index = 0;
                continue;
            }

            entry = default;
            return false;
        }
    }

    /// <summary>Takes the entry <see cref="TryPeek"/> returned.</summary>
    public void Advance(in RoomFeed.Entry entry)
    {
        Debug.Assert(ReferenceEquals(_chunk.Entries[_index].Frame, entry.Frame));
        _index++;
        Volatile.Write(ref _bytes, entry.EndBytes);
    }
}
