using PipeChat.Protocol.Chat;
using PipeChat.Server.Rooms;

namespace PipeChat.Server.Content;

/// <summary>One room message between its arrival and its turn in the room's line: what it is, who sent it, and the hook's verdict once known.</summary>
internal sealed class HookEntry(IRoomPublisher publisher, IRoomMember sender, Room room, byte[] data, byte[] reference, MessagePriority priority)
{
    public IRoomPublisher Publisher { get; } = publisher;

    public IRoomMember Sender { get; } = sender;

    public Room Room { get; } = room;

    public byte[] Data { get; } = data;

    public byte[] Reference { get; } = reference;

    public MessagePriority Priority { get; } = priority;

    /// <summary>Set before <see cref="Ready"/>.</summary>
    public HookVerdict Verdict { get; set; }

    /// <summary>The verdict is in and the sender's earlier sends are done; touched under the line's lock.</summary>
    public bool Ready { get; set; }

    /// <summary>Completes once the message was refused or handed to the router (and the router's task completed).</summary>
    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
