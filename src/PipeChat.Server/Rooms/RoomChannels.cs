using System.Collections.Concurrent;

namespace PipeChat.Server.Rooms;

/// <summary>Every room id's channel (seq, epoch, history), created on first use and retired when idle.</summary>
internal sealed class RoomChannels(int historySize, long historyMaxAgeMs, RoomRegistry? scaleOutRooms = null)
{
    private readonly ConcurrentDictionary<string, RoomChannel> _channels = new(StringComparer.Ordinal);

    public int Count => _channels.Count;

    public RoomChannel GetOrCreate(ReadOnlySpan<char> roomId)
    {
        var lookup = _channels.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(roomId, out var channel))
        {
            return channel;
        }

        var id = roomId.ToString();
        return _channels.GetOrAdd(id, static (key, state) => new RoomChannel(key, state.historySize, state.historyMaxAgeMs, state.scaleOutRooms), (historySize, historyMaxAgeMs, scaleOutRooms));
    }

    public bool TryGet(ReadOnlySpan<char> roomId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RoomChannel? channel)
        => _channels.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(roomId, out channel);

    /// <summary>Every channel now (Redis mode: recovery after a reconnect).</summary>
    public IEnumerable<RoomChannel> All => _channels.Values;

    /// <summary>Retires channels of rooms that no longer exist and have been idle past the history age.</summary>
    public int Sweep(long now, Func<string, bool> roomExists)
    {
        var retired = 0;
        foreach (var (id, channel) in _channels)
        {
            if (channel.TryRetire(now, historyMaxAgeMs, roomExists))
            {
                _channels.TryRemove(new KeyValuePair<string, RoomChannel>(id, channel));
                retired++;
            }
        }

        return retired;
    }
}
