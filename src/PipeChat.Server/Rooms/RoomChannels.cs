using System.Collections.Concurrent;

namespace PipeChat.Server.Rooms;

/// <summary>Every room id's channel (seq, epoch, history), created on first use and retired when idle.</summary>
internal sealed class RoomChannels(int historySize, long historyMaxAgeMs)
{
    private readonly ConcurrentDictionary<string, RoomChannel> _channels = new(StringComparer.Ordinal);
    private readonly int _historySize = historySize;
    private readonly long _historyMaxAgeMs = historyMaxAgeMs;

    public int Count => _channels.Count;

    public RoomChannel GetOrCreate(ReadOnlySpan<char> roomId)
    {
        var lookup = _channels.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(roomId, out var channel))
        {
            return channel;
        }

        var id = roomId.ToString();
        return _channels.GetOrAdd(id, static (key, home) => new RoomChannel(key, home._historySize, home._historyMaxAgeMs, home), this);
    }

    public bool TryGet(ReadOnlySpan<char> roomId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RoomChannel? channel)
        => _channels.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(roomId, out channel);

    /// <summary>Retires channels of rooms that no longer exist and have been idle past the history age.</summary>
    public int Sweep(long now, Func<string, bool> roomExists)
    {
        var retired = 0;
        Action<RoomChannel> remove = Remove;
        foreach (var (_, channel) in _channels)
        {
            if (channel.TryRetire(now, _historyMaxAgeMs, roomExists, remove))
            {
                retired++;
            }
        }

        return retired;
    }

    private void Remove(RoomChannel channel) => _channels.TryRemove(new KeyValuePair<string, RoomChannel>(channel.RoomId, channel));
}
