using PipeChat.Server.Buffers;
using PipeChat.Server.Rooms;

namespace PipeChat.Benchmarks.Rooms;

/// <summary>A connection whose queue accepts everything for free: what remains is the fan-out's own cost.</summary>
internal sealed class NoopConnection(long id, string userId) : IRoomMember
{
    public long ConnectionId { get; } = id;

    public string UserId { get; } = userId;

    public bool TrySend(SharedFrame frame) => true;
}
