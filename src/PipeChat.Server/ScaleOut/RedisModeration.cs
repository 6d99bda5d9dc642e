using System.Collections.Concurrent;
using System.Globalization;
using PipeChat.Server.Rooms;
using PipeChat.Server.Routing;
using StackExchange.Redis;

namespace PipeChat.Server.ScaleOut;

/// <summary>
/// Moderation shared by every node (docs/scale-out.md): each room's read-only flag, mutes and
/// bans live in a Redis hash that expires with its last entry, so they hold on every node and
/// across restarts. Each node keeps a copy (<see cref="ModerationCache"/>) of the rooms it has
/// members in, read from Redis at a room's first join and kept current by the changes every
/// change publishes; the per-message checks read only that copy.
/// </summary>
internal sealed class RedisModeration : IModeration
{
    private static readonly TimeSpan SubscribeRetry = TimeSpan.FromSeconds(1);

    private readonly RedisLink _link;
    private readonly RoomRegistry _rooms;
    private readonly ModerationCache _cache = new();
    private readonly ConcurrentDictionary<string, Task> _loads = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task>.AlternateLookup<ReadOnlySpan<char>> _loadsByName;
    private readonly CancellationTokenSource _stop = new();

    public RedisModeration(RedisLink link, RoomRegistry rooms)
    {
        _link = link;
        _rooms = rooms;
        _loadsByName = _loads.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public void Start()
    {
        _link.Restored += ReloadAll;
        _ = SubscribeAsync();
    }

    public void Dispose()
    {
        _link.Restored -= ReloadAll;
        _stop.Cancel();
        _stop.Dispose();
    }

    public SendCheck CheckSend(ReadOnlySpan<char> roomId, string userId, out long? secondsLeft) => _cache.CheckSend(roomId, userId, out secondsLeft);

    public bool IsBanned(ReadOnlySpan<char> roomId, string userId, out long? secondsLeft) => _cache.IsBanned(roomId, userId, out secondsLeft);

    public Task? PrepareJoin(ReadOnlySpan<char> roomSpan)
    {
        if (_loadsByName.TryGetValue(roomSpan, out var load))
        {
            if (load.IsCompletedSuccessfully)
            {
                return null;
            }

            if (!load.IsFaulted)
            {
                return load;
            }
        }

        // First join here, or the last read failed: read the room now.
        var roomId = roomSpan.ToString();
        var fresh = LoadAsync(roomId);
        _loads[roomId] = fresh;
        return fresh;
    }

    public Task SetReadOnly(string roomId, bool on) => ChangeAsync(roomId, "ro", on ? "1" : "");

    public Task Mute(string roomId, string userId, long? seconds) => ChangeAsync(roomId, "m:" + userId, Encode(ModerationCache.EndOf(seconds)));

    public Task Ban(string roomId, string userId, long? seconds) => ChangeAsync(roomId, "b:" + userId, Encode(ModerationCache.EndOf(seconds)));

    public void Sweep()
    {
        // Rooms without members here are forgotten: their next join reads them again.
        foreach (var roomId in _loads.Keys)
        {
            if (!_rooms.TryGetRoom(roomId, out _) && _loads.TryRemove(roomId, out _))
            {
                _cache.Forget(roomId);
            }
        }

        _cache.Sweep(ModerationCache.NowMs);
    }

    private static string Encode(long end) => end switch
    {
        0 => "",
        RoomRestrictions.UntilLifted => "-1",
        _ => end.ToString(CultureInfo.InvariantCulture),
    };

    private async Task ChangeAsync(string roomId, string field, string value)
    {
        await _link.Db.ScriptEvaluateAsync(
            RedisModerationScripts.Change,
            [RedisKeys.RoomModeration(roomId)],
            [field, value, ModerationCache.NowMs, RedisKeys.ModerationChannelName, RedisModerationWire.EncodeChange(roomId, field, value)]).ConfigureAwait(false);

        // This node's copy changes at once (the published change may come later).
        Apply(roomId, field, value);
    }

    private async Task LoadAsync(string roomId)
    {
        try
        {
            var entries = await _link.Db.HashGetAllAsync(RedisKeys.RoomModeration(roomId)).ConfigureAwait(false);
            _cache.Forget(roomId);
            foreach (var entry in entries)
            {
                Apply(roomId, entry.Name!, entry.Value!);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or InvalidOperationException)
        {
            // Redis unreachable: the join goes ahead on what this node knows; the next one reads again.
            ScaleOutLog.OperationFailed(_link.Logger, ex, "read moderation of room " + roomId);
            throw;
        }
    }

    private void ReloadAll()
    {
        foreach (var roomId in _loads.Keys)
        {
            _loads[roomId] = LoadAsync(roomId);
        }
    }

    private async Task SubscribeAsync()
    {
        for (var attempt = 0; !_stop.IsCancellationRequested && attempt < 100_000; attempt++)
        {
            try
            {
                var queue = await _link.Subscriber.SubscribeAsync(RedisKeys.Moderation).ConfigureAwait(false);
                queue.OnMessage(message =>
                {
                    if (RedisModerationWire.TryParseChange((string)message.Message!, out var roomId, out var field, out var value) && _loads.ContainsKey(roomId))
                    {
                        Apply(roomId, field, value);
                    }
                });
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or InvalidOperationException)
            {
                await Task.Delay(SubscribeRetry, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private void Apply(string roomId, string field, string value)
    {
        var room = _cache.GetOrAdd(roomId);
        if (field == "ro")
        {
            room.ReadOnly = value == "1";
            return;
        }

        if (field.Length < 3 || field[1] != ':')
        {
            return;
        }

        var end = value.Length == 0 ? 0
            : value == "-1" ? RoomRestrictions.UntilLifted
            : long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? ms : 0;
        var map = field[0] == 'm' ? room.MutedUntil : room.BannedUntil;
        RoomRestrictions.Set(map, field[2..], end);
    }
}
