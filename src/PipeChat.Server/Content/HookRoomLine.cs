using System.Collections.Concurrent;

namespace PipeChat.Server.Content;

/// <summary>
/// The messages of one room waiting for the publish hook, in arrival order. Hook calls run side
/// by side (a slow answer does not hold the next call back), but a message leaves the line, to
/// be numbered or refused, only when every message that arrived before it in the room has left:
/// seqs follow arrival order. One thread at a time drains the line; a line that empties is
/// removed from its set (<see cref="Enter"/> retries when it raced with that).
/// </summary>
internal sealed class HookRoomLine
{
    private readonly Queue<HookEntry> _queue = new();
    private readonly ConcurrentDictionary<string, HookRoomLine> _home;
    private readonly string _roomId;
    private bool _draining;
    private bool _retired;

    private HookRoomLine(ConcurrentDictionary<string, HookRoomLine> home, string roomId)
    {
        _home = home;
        _roomId = roomId;
    }

    /// <summary>Puts <paramref name="entry"/> at the end of its room's line; returns the line.</summary>
    public static HookRoomLine Enter(ConcurrentDictionary<string, HookRoomLine> lines, string roomId, HookEntry entry)
    {
        while (true)
        {
            var line = lines.GetOrAdd(roomId, static (id, home) => new HookRoomLine(home, id), lines);
            lock (line._queue)
            {
                if (!line._retired)
                {
                    line._queue.Enqueue(entry);
                    return line;
                }
            }
        }
    }

    /// <summary>The entry may leave once it reaches the head; leaves every ready entry at the head through <paramref name="commit"/>, in order.</summary>
    public void MarkReady(HookEntry entry, Action<HookEntry> commit)
    {
        lock (_queue)
        {
            entry.Ready = true;
            if (_draining)
            {
                return;
            }

            _draining = true;
        }

        while (true)
        {
            HookEntry head;
            lock (_queue)
            {
                if (_queue.Count == 0 || !_queue.Peek().Ready)
                {
                    _draining = false;
                    if (_queue.Count == 0)
                    {
                        _retired = true;
                        _home.TryRemove(new KeyValuePair<string, HookRoomLine>(_roomId, this));
                    }

                    return;
                }

                head = _queue.Dequeue();
            }

            commit(head);
        }
    }
}
