using PipeChat.Server.Buffers;
using PipeChat.Server.Diagnostics;
using PipeChat.Server.Rooms;

namespace PipeChat.Server.Connections;

/// <summary>
/// A connection's outbound frames: its own frames (replies, acks, notices, control frames) in a
/// small ring, plus a cursor into the <see cref="RoomFeed"/> of each room it is in. The single
/// writer takes them merged in the order they were queued (every ring entry and feed entry
/// carries a stamp from <see cref="RoomFeed.NextStamp"/>), so a reply queued after a room message
/// still goes out after it, and a join's history replay before the room's later messages.
/// <para>
/// The ring grows by doubling under a lock held only for an array store or load (producers are
/// room channels and other connections, the consumer the connection's writer: almost never
/// contended). It starts with no array and <see cref="TrimIfEmpty"/> drops it again, so an idle
/// connection holds none. The cursors are read and moved by the writer under the same lock, so a
/// cursor dropped from another thread (a slow consumer closed by a publisher) is never read
/// after it let go of the room's frames; the list is copied on change and may be scanned without
/// the lock for <see cref="LagIn"/>.
/// </para>
/// <para>
/// The ring is bounded in bytes (<c>--max-queued-bytes</c>): <see cref="TryEnqueue"/> refuses a
/// frame that would take it past the limit; room frames are counted by <see cref="LagIn"/>.
/// </para>
/// <para>
/// Thinning (<c>--thin-after-bytes</c>, docs/protocol.md): the writer skips a room's low-priority
/// frames while it is more than that many bytes behind in the room, and normal ones too while
/// more than twice that (<see cref="MemberThinning"/>), announcing each skipped run with a
/// <c>skipped</c> event; past the hard limit <see cref="ThinBehind"/> jumps the member to the
/// feed's end. Neither runs for a member that keeps up: the common path costs one comparison.
/// </para>
/// </summary>
internal sealed class OutboundQueue(long maxQueuedBytes = long.MaxValue, long thinAfterBytes = long.MaxValue, PriorityCounters? counters = null)
{
    private static readonly FeedCursor[] s_noCursors = [];

    private readonly object _gate = new();
    private FrameRing _ring;
    private FeedCursor[] _cursors = s_noCursors;
    private bool _closed;

    /// <summary>Whether the connection's own ring is empty (the feeds may still hold frames for it).</summary>
    public bool IsEmpty => _ring.IsEmpty;

    /// <summary>What the ring's frames count against the limit: their bytes and the ring's cost of holding them.</summary>
    public long QueuedBytes => _ring.Bytes;

    /// <summary>The byte limit of the connection's own ring.</summary>
    public long MaxQueuedBytes => maxQueuedBytes;

    /// <summary>
    /// Queues a frame unless that takes the ring past its limit (a first frame always fits); on
    /// refusal the queue is unchanged and <paramref name="queuedBytes"/> tells how much was queued.
    /// The caller's reference is not taken either way: add one for the queue on success.
    /// </summary>
    public bool TryEnqueue(SharedFrame frame, out long queuedBytes)
    {
        var cost = FrameRing.Cost(frame);
        lock (_gate)
        {
            queuedBytes = _ring.Bytes;
            if (queuedBytes != 0 && queuedBytes + cost > maxQueuedBytes)
            {
                return false;
            }

            _ring.Add(frame, cost);
            return true;
        }
    }

    /// <summary>Queues a frame whatever the limit (control frames: pong, ping, close).</summary>
    public void Enqueue(SharedFrame frame)
    {
        var cost = FrameRing.Cost(frame);
        lock (_gate)
        {
            _ring.Add(frame, cost);
        }
    }

    /// <summary>Starts reading a room's feed from its current end (the connection joined the room).</summary>
    public void Subscribe(RoomFeed feed)
    {
        var cursor = feed.OpenCursor();
        lock (_gate)
        {
            if (_closed)
            {
                // The connection has ended (a join that completed late): a cursor nobody reads would pin the room.
                cursor.Drop();
                return;
            }

            Volatile.Write(ref _cursors, [.. _cursors, cursor]);
        }
    }

    /// <summary>Stops reading a room's feed at its current end (the connection left the room); what was published before is still sent.</summary>
    public void Unsubscribe(RoomFeed feed)
    {
        foreach (var cursor in Volatile.Read(ref _cursors))
        {
            if (ReferenceEquals(cursor.Feed, feed))
            {
                cursor.Stop();
            }
        }
    }

    /// <summary>Ends every feed at its current length (the connection is closing: nothing published later goes out).</summary>
    public void StopFeeds()
    {
        foreach (var cursor in Volatile.Read(ref _cursors))
        {
            cursor.Stop();
        }
    }

    /// <summary>Forgets every feed cursor: unread room frames are not sent (a slow consumer being closed; it resumes from history).</summary>
    public void DropFeeds()
    {
        lock (_gate)
        {
            foreach (var cursor in _cursors)
            {
                cursor.Drop();
            }

            Volatile.Write(ref _cursors, s_noCursors);
        }
    }

    /// <summary>The connection has ended: drops the cursors, and any later <see cref="Subscribe"/> is refused.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            DropFeeds();
        }
    }

    /// <summary>Bytes of <paramref name="feed"/> this connection has not taken yet (0 when it does not read it).</summary>
    public long LagIn(RoomFeed feed)
    {
        foreach (var cursor in Volatile.Read(ref _cursors))
        {
            if (ReferenceEquals(cursor.Feed, feed) && cursor.Lag is > 0 and var lag)
            {
                return lag;
            }
        }

        return 0;
    }

    /// <summary>
    /// The member is past its hard limit in <paramref name="feed"/>: jumps its cursor to the feed's
    /// end, skipping low and normal frames and keeping high ones aside (<see cref="FeedCursor.JumpOver"/>).
    /// False when the high-priority frames it has not read still exceed the limit (close it).
    /// </summary>
    public bool ThinBehind(RoomFeed feed, IRoomMember reader)
    {
        Span<int> skipped = stackalloc int[3];
        lock (_gate)
        {
            foreach (var cursor in _cursors)
            {
                if (ReferenceEquals(cursor.Feed, feed))
                {
                    cursor.JumpOver(reader, skipped);
                    MemberThinning.Count(counters, skipped);
                    return cursor.DetourBytes <= maxQueuedBytes;
                }
            }
        }

        return true;
    }

    /// <summary>Whether thinning is on (<c>--thin-after-bytes</c> set): past the hard limit a member is then thinned, not closed, unless high-priority frames alone overflow it.</summary>
    public bool Thins => thinAfterBytes != long.MaxValue;

    /// <summary>Whether anything is queued for <paramref name="reader"/>: in its ring or in a feed (writer only).</summary>
    public bool HasPending(IRoomMember reader)
    {
        if (!_ring.IsEmpty)
        {
            return true;
        }

        if (Volatile.Read(ref _cursors).Length == 0)
        {
            return false;
        }

        lock (_gate)
        {
            var finished = false;
            foreach (var cursor in _cursors)
            {
                if (cursor.TryPeek(reader, out _))
                {
                    return true;
                }

                finished |= cursor.Finished;
            }

            if (finished)
            {
                DropFinishedLocked(0);
            }
        }

        return false;
    }

    /// <summary>
    /// Drops cursors of rooms left more than <paramref name="maxMs"/> ago that still have not
    /// been read to their stop (a reader that is not reading): a cursor pins the room's frames
    /// from its position on, so it may not linger (called by the heartbeat).
    /// </summary>
    public void DropStaleStopped(long now, long maxMs)
    {
        foreach (var cursor in Volatile.Read(ref _cursors))
        {
            if (cursor.StoppedAt != 0 && now - cursor.StoppedAt > maxMs)
            {
                lock (_gate)
                {
                    DropFinishedLocked(now - maxMs);
                }

                return;
            }
        }
    }

    /// <summary>
    /// Takes the oldest frame, with a reference the caller must release (writer only).
    /// <paramref name="fromFeed"/> tells a room's frame from one of the connection's own.
    /// </summary>
    public bool TryDequeue(IRoomMember reader, out SharedFrame frame, out bool fromFeed)
    {
        if (Volatile.Read(ref _cursors).Length == 0)
        {
            fromFeed = false;
            return TryDequeueOwn(out frame);
        }

        lock (_gate)
        {
            while (true)
            {
                FeedCursor? best = null;
                RoomFeed.Entry bestEntry = default;
                var finished = false;
                foreach (var cursor in _cursors)
                {
                    if (cursor.TryPeek(reader, out var entry))
                    {
                        if (best is null || entry.Stamp < bestEntry.Stamp)
                        {
                            best = cursor;
                            bestEntry = entry;
                        }
                    }
                    else if (cursor.Finished)
                    {
                        finished = true;
                    }
                }

                if (finished)
                {
                    DropFinishedLocked(0);
                }

                if (!_ring.IsEmpty && (best is null || _ring.OldestStamp < bestEntry.Stamp))
                {
                    frame = _ring.Take();
                    fromFeed = false;
                    return true;
                }

                if (best is null)
                {
                    break;
                }

                if (best.Lag > thinAfterBytes)
                {
                    // Behind in this room: skip what its lag says it cannot afford, or announce what it skipped.
                    if (MemberThinning.ShouldSkip(best, bestEntry, thinAfterBytes))
                    {
                        best.Skip(bestEntry);
                        if (bestEntry.Frame.Seq > 0)
                        {
                            counters?.Skipped(bestEntry.Frame.Priority);
                        }

                        continue;
                    }
                }

                if (best.TakePendingSkip(bestEntry, out var range))
                {
                    frame = MemberThinning.SkippedEvent(best.Feed.RoomId, range);
                    fromFeed = false;
                    return true;
                }

                // Referenced before the cursor moves on: its chunk may be reclaimed once it has.
                bestEntry.Frame.AddReference();
                best.Advance(bestEntry);
                frame = bestEntry.Frame;
                fromFeed = true;
                return true;
            }
        }

        frame = null!;
        fromFeed = false;
        return false;
    }

    /// <summary>Takes the oldest frame of the connection's own ring only (session end: releasing what is left).</summary>
    public bool TryDequeueOwn(out SharedFrame frame)
    {
        lock (_gate)
        {
            if (_ring.IsEmpty)
            {
                frame = null!;
                return false;
            }

            frame = _ring.Take();
            return true;
        }
    }

    /// <summary>Drops the array of an empty ring (called for idle connections by the heartbeat).</summary>
    public void TrimIfEmpty()
    {
        if (!_ring.HoldsArray || !_ring.IsEmpty)
        {
            return;
        }

        lock (_gate)
        {
            _ring.Trim();
        }
    }

    /// <summary>Drops finished cursors, and stopped ones stopped before <paramref name="stoppedBefore"/> (a tick; 0: none).</summary>
    private void DropFinishedLocked(long stoppedBefore)
    {
        var cursors = _cursors;
        var kept = 0;
        foreach (var cursor in cursors)
        {
            if (!Gone(cursor, stoppedBefore))
            {
                kept++;
            }
        }

        if (kept == cursors.Length)
        {
            return;
        }

        var next = kept == 0 ? s_noCursors : new FeedCursor[kept];
        var j = 0;
        foreach (var cursor in cursors)
        {
            if (Gone(cursor, stoppedBefore))
            {
                cursor.Drop();
            }
            else
            {
                next[j++] = cursor;
            }
        }

        Volatile.Write(ref _cursors, next);

        static bool Gone(FeedCursor cursor, long stoppedBefore)
            => cursor.Finished || (cursor.StoppedAt != 0 && cursor.StoppedAt < stoppedBefore);
    }
}
