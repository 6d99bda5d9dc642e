using PipeChat.Server.Buffers;
using PipeChat.Server.Rooms;

namespace PipeChat.Server.Tests.Rooms;

/// <summary>A light connection for big rooms: counts accepted frames, keeps no reference.</summary>
internal sealed class CountingConnection(long id, string userId) : IRoomMember
{
    private int _count;

    public long ConnectionId { get; } = id;

    public string UserId { get; } = userId;

    public int Count => Volatile.Read(ref _count);

    public bool TrySend(SharedFrame frame)
    {
        Interlocked.Increment(ref _count);
        return true;
    }
}
