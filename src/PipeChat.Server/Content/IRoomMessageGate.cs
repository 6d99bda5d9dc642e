using PipeChat.Protocol.Chat;
using PipeChat.Server.Rooms;

namespace PipeChat.Server.Content;

/// <summary>
/// The content checks a member's room message passes before the router gives it a seq: none
/// (<see cref="OpenGate"/>), the sensitive-word list (<see cref="WordListGate"/>), the app
/// backend's publish hook (<see cref="PublishHookGate"/>), or both; chosen once at start-up
/// (<see cref="ContentGateChoice"/>), so the send path never asks which. A gate answers the
/// sender itself when it refuses a message (error <c>rejected</c>) and otherwise hands the message,
/// possibly changed, to <see cref="IRoomPublisher.Publish"/>. The task completes when that is done.
/// </summary>
internal interface IRoomMessageGate : IDisposable
{
    Task Submit(IRoomPublisher publisher, IRoomMember sender, Room room, ReadOnlySpan<byte> data, ReadOnlySpan<byte> reference, Task? previous, MessagePriority priority);
}
