using Microsoft.Extensions.Logging;
using PipeChat.Server.Diagnostics;
using PipeChat.Server.Rooms;
using PipeChat.Server.Routing;
using StackExchange.Redis;

namespace PipeChat.Server.ScaleOut;

/// <summary>
/// Room counters across nodes (docs/scale-out.md). Time is cut into slots of the counter interval
/// (wall clock). At a slot's start each node adds what its members sent to the room's hash
/// (HINCRBY <c>pipechat:ctr:{room}</c>); each node that did tries to become the room's publisher
/// for the slot (SET NX on <c>pipechat:ctrpub:{room}:slot</c>); the one that wins reads the hash
/// half a slot later and publishes the values on <c>pipechat:counters</c>, which every node turns
/// into one <c>counter</c> event per counter for its local members. So a room gets one update per
/// interval whichever nodes its increments came through (node clocks must agree within half an
/// interval). Its own Redis connection, so counters never queue behind room traffic.
/// </summary>
internal sealed class RedisCounterHub : ICounterHub
{
    private static readonly RedisChannel Channel = RedisChannel.Literal("pipechat:counters");
    private static readonly TimeSpan ValueTtl = TimeSpan.FromDays(1);

    private readonly CounterTable _table = new();
    private readonly RedisLink _link;
    private readonly RoomRegistry _rooms;
    private readonly int _intervalMs;
    private readonly PriorityCounters? _counters;
    private Timer? _timer;
    private volatile bool _stopped;
    private int _subscribed;

    public RedisCounterHub(RedisSettings settings, RoomRegistry rooms, int intervalMs, PriorityCounters? counters, ILogger logger)
    {
        _link = new RedisLink(settings, logger);
        _rooms = rooms;
        _intervalMs = intervalMs;
        _counters = counters;
    }

    public bool Add(string roomId, ReadOnlySpan<char> name, long by) => _table.Add(roomId, name, by);

    public void Start()
    {
        _link.Restored += Subscribe;
        _link.Start();
        Subscribe();
        ScheduleNextSlot();
    }

    public void Dispose()
    {
        _stopped = true;
        _timer?.Dispose();
        _link.Dispose();
    }

    /// <summary>Subscribes once (Redis may be down at start-up: then when it is back; the client re-subscribes by itself after later outages).</summary>
    private void Subscribe()
    {
        if (Volatile.Read(ref _subscribed) != 0 || !_link.IsConnected)
        {
            return;
        }

        try
        {
            if (Interlocked.Exchange(ref _subscribed, 1) == 0)
            {
                _link.Subscriber.Subscribe(Channel, (_, message) => Deliver(message));
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Volatile.Write(ref _subscribed, 0);
            ScaleOutLog.OperationFailed(_link.Logger, ex, "counter subscription");
        }
    }

    private static string HashKey(string roomId) => "pipechat:ctr:{" + roomId + "}";

    private long NowMs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private void ScheduleNextSlot()
    {
        if (_stopped)
        {
            return;
        }

        var wait = _intervalMs - (NowMs % _intervalMs);
        _timer?.Dispose();
        _timer = new Timer(static s => _ = ((RedisCounterHub)s!).SlotAsync(), this, wait, Timeout.Infinite);
    }

    private async Task SlotAsync()
    {
        var slot = NowMs / _intervalMs;
        ScheduleNextSlot();
        Subscribe();
        var changed = new Dictionary<string, List<(string Name, long Delta)>>(StringComparer.Ordinal);
        _table.Drain(
            (roomId, name, delta) =>
            {
                if (!changed.TryGetValue(roomId, out var list))
                {
                    changed[roomId] = list = [];
                }

                list.Add((name, delta));
            },
            roomId => _rooms.TryGetRoom(roomId, out _));
        if (changed.Count == 0 || !_link.IsConnected)
        {
            return;
        }

        try
        {
            var db = _link.Db;
            var won = new List<string>();
            foreach (var (roomId, list) in changed)
            {
                var key = HashKey(roomId);
                foreach (var (name, delta) in list)
                {
                    await db.HashIncrementAsync(key, name, delta);
                }

                await db.KeyExpireAsync(key, ValueTtl);
                if (await db.StringSetAsync($"pipechat:ctrpub:{{{roomId}}}:{slot}", _link.NodeId, TimeSpan.FromMilliseconds(2 * _intervalMs), When.NotExists))
                {
                    won.Add(roomId);
                }
            }

            if (won.Count == 0)
            {
                return;
            }

            // Half a slot later every node's increments of this slot are in.
            var publishAt = (slot * _intervalMs) + (_intervalMs / 2);
            var wait = publishAt - NowMs;
            if (wait > 0)
            {
                await Task.Delay((int)wait);
            }

            foreach (var roomId in won)
            {
                var entries = await db.HashGetAllAsync(HashKey(roomId));
                await _link.Subscriber.PublishAsync(Channel, Encode(roomId, entries));
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            ScaleOutLog.OperationFailed(_link.Logger, ex, "counter update");
        }
    }

    /// <summary><c>{"roomid":"r1","values":{"likes":42}}</c></summary>
    private static byte[] Encode(string roomId, HashEntry[] entries)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64 + (entries.Length * 32));
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("roomid", roomId);
            json.WriteStartObject("values");
            foreach (var entry in entries)
            {
                json.WriteNumber((string)entry.Name!, (long)entry.Value);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private void Deliver(RedisValue message)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse((byte[])message!);
            var roomId = doc.RootElement.GetProperty("roomid").GetString()!;
            foreach (var value in doc.RootElement.GetProperty("values").EnumerateObject())
            {
                CounterEvents.Publish(_rooms, _counters, roomId, value.Name, value.Value.GetInt64());
            }
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            ScaleOutLog.OperationFailed(_link.Logger, ex, "counter update received");
        }
    }
}
