using PipeChat.Server.Buffers;
using PipeChat.Server.Connections;

namespace PipeChat.Benchmarks.Rooms;

/// <summary>A connection whose queue accepts everything for free: what remains is the fan-out's own cost.</summary>
internal sealed class NoopConnection(long id, string userId) : IChatConnection
{
    public long ConnectionId { get; } = id;

    public string UserId { get; } = userId;

    public bool TrySend(SharedFrame frame) => true;
}
