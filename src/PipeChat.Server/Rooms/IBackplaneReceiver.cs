using PipeChat.Server.Buffers;

namespace PipeChat.Server.Rooms;

/// <summary>
/// Where a backplane delivers what other nodes published. Each call gets a sealed frame the
/// backplane owns: the receiver fans it out synchronously (recipients take their own
/// references) and must not keep it.
/// </summary>
public interface IBackplaneReceiver
{
    void OnRoomMessage(ReadOnlySpan<char> roomId, SharedFrame frame);

    void OnUserMessage(ReadOnlySpan<char> userId, SharedFrame frame);

    void OnBroadcast(SharedFrame frame);
}
