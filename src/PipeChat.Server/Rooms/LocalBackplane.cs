using PipeChat.Server.Buffers;

namespace PipeChat.Server.Rooms;

/// <summary>A single node: there is nobody else to tell, so every operation completes at once and does nothing.</summary>
public sealed class LocalBackplane : IBackplane
{
    public static LocalBackplane Instance { get; } = new();

    public ValueTask StartAsync(IBackplaneReceiver receiver, CancellationToken cancellationToken = default) => default;

    public ValueTask PublishRoomAsync(string roomId, SharedFrame frame, CancellationToken cancellationToken = default) => default;

    public ValueTask PublishUserAsync(string userId, SharedFrame frame, CancellationToken cancellationToken = default) => default;

    public ValueTask PublishBroadcastAsync(SharedFrame frame, CancellationToken cancellationToken = default) => default;

    public ValueTask SubscribeRoomAsync(string roomId, CancellationToken cancellationToken = default) => default;

    public ValueTask UnsubscribeRoomAsync(string roomId, CancellationToken cancellationToken = default) => default;

    public ValueTask SubscribeUserAsync(string userId, CancellationToken cancellationToken = default) => default;

    public ValueTask UnsubscribeUserAsync(string userId, CancellationToken cancellationToken = default) => default;
}
