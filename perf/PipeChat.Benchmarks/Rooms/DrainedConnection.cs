using PipeChat.Server.Buffers;
using PipeChat.Server.Rooms;

namespace PipeChat.Benchmarks.Rooms;

/// <summary>A benchmark member: queues what the room gives it and is drained by <see cref="Drain"/> as its writer would, counting the bytes.</summary>
internal abstract class DrainedConnection(long id, string userId) : IRoomMember
{
    public long ConnectionId { get; } = id;

    public string UserId { get; } = userId;

    public long Bytes { get; private set; }

    public abstract bool TrySend(SharedFrame frame);

    public abstract void Drain();

    /// <summary>What the writer does with a frame it took: "send" it and let go of it.</summary>
    protected void Sent(SharedFrame frame)
    {
        Bytes += frame.Frame.Length;
        frame.Release();
    }
}
