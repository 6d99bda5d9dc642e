using PipeChat.Server.Rooms;

namespace PipeChat.Server.Chat;

/// <summary>Chat-layer state of one connection, touched only by its own read loop.</summary>
internal sealed class ChatConnectionState
{
    public ConnectionRooms Rooms { get; } = new();

    /// <summary>Whether the connection was added to the user directory (false when over the per-user cap).</summary>
    public bool Registered { get; set; }
}
