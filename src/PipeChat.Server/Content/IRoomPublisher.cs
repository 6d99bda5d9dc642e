using PipeChat.Protocol.Chat;
using PipeChat.Server.Rooms;

namespace PipeChat.Server.Content;

/// <summary>What a room message goes to once it passed the content checks: encoding, then the router, which numbers it (the chat layer's room requests).</summary>
internal interface IRoomPublisher
{
    Task Publish(IRoomMember sender, string roomId, Room? room, ReadOnlySpan<char> from, ReadOnlySpan<byte> data, ReadOnlySpan<byte> reference, Task? previous, MessagePriority priority);
}
