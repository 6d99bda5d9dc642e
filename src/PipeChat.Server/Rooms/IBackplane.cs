using PipeChat.Server.Buffers;

namespace PipeChat.Server.Rooms;

/// <summary>
/// The seam to other nodes (a later issue adds Redis). The chat layer delivers every message to
/// its local recipients itself, then hands the same sealed frame to the backplane, which carries
/// its payload to the other nodes; there an <see cref="IBackplaneReceiver"/> fans it out locally
/// through <see cref="Room.Publish"/>, <see cref="UserDirectory.SendToUser"/> or
/// <see cref="UserDirectory.Broadcast"/>. A node only receives room traffic for rooms it
/// subscribed to: the chat layer subscribes when a room gets its first local member
/// (<see cref="RoomJoinResult.FirstMember"/>) and unsubscribes when it loses its last
/// (<see cref="RoomLeaveStatus.LeftAndClosed"/>); likewise for users going online/offline.
/// Frames: the caller keeps its own reference until the returned task completes; an
/// implementation that holds a frame longer takes its own (<see cref="SharedFrame.AddReference"/>).
/// Publishing must never wait on a slow peer: implementations buffer or drop, never block the sender.
/// </summary>
public interface IBackplane
{
    /// <summary>Starts delivering messages from other nodes to <paramref name="receiver"/>.</summary>
    ValueTask StartAsync(IBackplaneReceiver receiver, CancellationToken cancellationToken = default);

    ValueTask PublishRoomAsync(string roomId, SharedFrame frame, CancellationToken cancellationToken = default);

    ValueTask PublishUserAsync(string userId, SharedFrame frame, CancellationToken cancellationToken = default);

    ValueTask PublishBroadcastAsync(SharedFrame frame, CancellationToken cancellationToken = default);

    ValueTask SubscribeRoomAsync(string roomId, CancellationToken cancellationToken = default);

    ValueTask UnsubscribeRoomAsync(string roomId, CancellationToken cancellationToken = default);

    ValueTask SubscribeUserAsync(string userId, CancellationToken cancellationToken = default);

    ValueTask UnsubscribeUserAsync(string userId, CancellationToken cancellationToken = default);
}
