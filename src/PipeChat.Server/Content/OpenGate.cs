using PipeChat.Protocol.Chat;
using PipeChat.Server.Rooms;

namespace PipeChat.Server.Content;

/// <summary>No content checks (no --word-list, no --publish-hook): the message goes straight on.</summary>
internal sealed class OpenGate : IRoomMessageGate
{
    public static readonly OpenGate Instance = new();

    public Task Submit(IRoomPublisher publisher, IRoomMember sender, Room room, ReadOnlySpan<byte> data, ReadOnlySpan<byte> reference, Task? previous, MessagePriority priority)
        => publisher.Publish(sender, room.Id, room, sender.UserId, data, reference, previous, priority);

    public void Dispose()
    {
    }
}
