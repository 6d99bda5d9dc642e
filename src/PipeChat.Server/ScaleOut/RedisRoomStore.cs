using PipeChat.Server.Rooms;
using PipeChat.Server.Routing;
using StackExchange.Redis;

namespace PipeChat.Server.ScaleOut;

/// <summary>
/// Each room's seq counter, epoch and history in Redis: a send numbers, keeps and publishes a
/// message in one script; reads give a snapshot (epoch, last seq, kept entries) or a history page.
/// </summary>
internal sealed class RedisRoomStore(RedisLink link, RoutingSettings settings, int waitReplicas)
{
    private readonly int _keySeconds = (int)Math.Ceiling(settings.HistorySeconds);

    private long MinStoredAtMs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (long)(settings.HistorySeconds * 1000);

    /// <summary>How long a send waits for its replicas (WAIT's timeout).</summary>
    private const int WaitMilliseconds = 2000;

    /// <summary>
    /// Gives the message the room's next seq, keeps it and publishes it, atomically. The message is
    /// the room JSON with the seq left out: <paramref name="beforeSeq"/> + seq + <paramref name="afterSeq"/>.
    /// With replicas to wait for, the script only numbers and keeps it; the entry is published once
    /// WAIT says enough replicas have it (so a message that dies with its master before reaching a
    /// replica was never delivered, and the seq the promoted replica gives next is not a duplicate).
    /// Replicated: false when WAIT timed out short of them (the message is delivered all the same).
    /// </summary>
    public async Task<(long Seq, bool Replicated)> SendAsync(string roomId, byte[] beforeSeq, byte[] afterSeq)
    {
        var keys = RedisKeys.Room(roomId);
        var result = (RedisResult[])(await link.Db.ScriptEvaluateAsync(
            RedisScripts.SendRoom,
            keys,
            [beforeSeq, afterSeq, RoomChannel.NewEpoch(), settings.HistorySize, _keySeconds, RedisKeys.RoomChannelName(roomId), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), waitReplicas > 0 ? 0 : 1]))!;
        var seq = (long)result[0];
        if (waitReplicas <= 0)
        {
            return (seq, true);
        }

        // WAIT covers every earlier write of the connection it runs on: the one that ran the script (the shard's interactive connection).
        var reached = (long)await link.ServerFor(keys[0]).ExecuteAsync("WAIT", waitReplicas, WaitMilliseconds);
        await link.Subscriber.PublishAsync(RedisKeys.RoomChannel(roomId), (byte[])result[2]!);
        return (seq, reached >= waitReplicas);
    }

    /// <summary>The room's epoch, last seq and up to <paramref name="limit"/> kept messages after <paramref name="after"/>; null when Redis is unreachable.</summary>
    public async Task<RoomSnapshot?> ReadAsync(string roomId, long after, int limit)
    {
        if (!link.IsConnected)
        {
            return null;
        }

        try
        {
            var result = (RedisResult[])(await link.Db.ScriptEvaluateAsync(
                RedisScripts.ReadRoom,
                RedisKeys.Room(roomId),
                [RoomChannel.NewEpoch(), Math.Max(after, 0), limit, _keySeconds]))!;
            var entries = ParseEntries((RedisResult[])result[2]!, newestFirst: false);
            return new RoomSnapshot((string)result[0]!, (long)result[1], entries);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            ScaleOutLog.OperationFailed(link.Logger, ex, "read room " + roomId);
            return null;
        }
    }

    /// <summary>Up to <paramref name="limit"/> kept messages before <paramref name="before"/>, oldest first; whether older ones remain; the epoch.</summary>
    public async Task<(string? Epoch, List<HistoryEntry> Entries, bool More)> HistoryPageAsync(string roomId, long before, int limit)
    {
        var keys = RedisKeys.Room(roomId);
        var result = (RedisResult[])(await link.Db.ScriptEvaluateAsync(RedisScripts.HistoryPage, [keys[1], keys[2]], [before, limit + 1]))!;
        var entries = ParseEntries((RedisResult[])result[1]!, newestFirst: true);
        var more = entries.Count > limit;
        if (more)
        {
            entries.RemoveAt(0);
        }

        return (result[0].IsNull ? null : (string)result[0]!, entries, more);
    }

    private List<HistoryEntry> ParseEntries(RedisResult[] raw, bool newestFirst)
    {
        var minStoredAt = MinStoredAtMs;
        var entries = new List<HistoryEntry>(raw.Length);
        for (var i = newestFirst ? raw.Length - 1 : 0; newestFirst ? i >= 0 : i < raw.Length; i += newestFirst ? -1 : 1)
        {
            if (RedisWireFormat.TryParseEntry((byte[])raw[i]!, out var seq, out _, out var storedAt, out var json) && storedAt >= minStoredAt)
            {
                entries.Add(new HistoryEntry(seq, storedAt, json));
            }
        }

        return entries;
    }
}
