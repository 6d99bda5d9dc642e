using StackExchange.Redis;

namespace PipeChat.Server.ScaleOut;

/// <summary>
/// Keeps the node in the cluster: heartbeats its presence, and after Redis comes back (or after
/// the others reaped it, or a subscription failed) subscribes what is missing, rewrites its
/// presence and catches every local room up from Redis.
/// </summary>
internal sealed class RedisRecovery(RedisLink link, RedisSubscriptions subscriptions, RedisPresence presence, RedisRoomStore store, Rooms.RoomRegistry rooms, Rooms.RoomChannels channels, int historySize) : IDisposable
{
    private Timer? _heartbeat;
    private int _resyncScheduled;

    public void Start()
    {
        link.Restored += ScheduleResync;
        _heartbeat = new Timer(static s => _ = ((RedisRecovery)s!).HeartbeatAsync(), this, TimeSpan.Zero, presence.HeartbeatPeriod);
    }

    public void Dispose() => _heartbeat?.Dispose();

    private async Task HeartbeatAsync()
    {
        if (!link.IsConnected)
        {
            return;
        }

        if (subscriptions.NeedsResync)
        {
            ScheduleResync();
        }

        try
        {
            var roomIds = subscriptions.InterestingRooms();
            if (await presence.HeartbeatAsync(roomIds))
            {
                // Silent too long (paused, or cut off from Redis): the others reaped this node. Count its members again.
                ScaleOutLog.Reaped(link.Logger, link.NodeId);
                ScheduleResync();
            }

            await FillStaleGapsAsync(roomIds);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            ScaleOutLog.OperationFailed(link.Logger, ex, "heartbeat");
        }
    }

    /// <summary>Rooms holding messages back behind a seq that has not come for a while catch up from Redis history.</summary>
    private async Task FillStaleGapsAsync(string[] roomIds)
    {
        foreach (var roomId in roomIds)
        {
            var channel = channels.GetOrCreate(roomId);
            if (RedisRoomOrder.Of(channel).HasStaleGap && await store.ReadAsync(roomId, channel.LastSeq, historySize) is { } snapshot)
            {
                channel.Run(new RedisRoomCatchUp(rooms, snapshot));
            }
        }
    }

    private void ScheduleResync()
    {
        if (Interlocked.Exchange(ref _resyncScheduled, 1) == 0)
        {
            _ = Task.Run(async () =>
            {
                // Let both the interactive and the subscription connection come back first.
                await Task.Delay(200);
                Volatile.Write(ref _resyncScheduled, 0);
                await ResyncAsync();
            });
        }
    }

    private async Task ResyncAsync()
    {
        try
        {
            var roomIds = subscriptions.InterestingRooms();
            subscriptions.ResubscribeAll(presence.LocalUsers().Keys, roomIds);
            await presence.RewriteAsync(roomIds);
            await HeartbeatAsync();
            foreach (var roomId in roomIds)
            {
                var channel = channels.GetOrCreate(roomId);
                var snapshot = await store.ReadAsync(roomId, channel.LastSeq, historySize);
                if (snapshot is null)
                {
                    subscriptions.MarkIncomplete();
                    return;
                }

                channel.Run(new RedisRoomCatchUp(rooms, snapshot));
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            subscriptions.MarkIncomplete();
            ScaleOutLog.OperationFailed(link.Logger, ex, "resync after reconnect");
        }
    }
}
