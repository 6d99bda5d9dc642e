using PipeChat.Server.Auth;
using PipeChat.Server.Rooms;

namespace PipeChat.Server.Chat;

/// <summary>Chat-layer state of one connection, touched only by its own read loop.</summary>
internal sealed class ChatConnectionState(double ratePerSecond, int burst)
{
    /// <summary>The request rate limit.</summary>
    public TokenBucket Rate = new(ratePerSecond, burst);

    public ConnectionRooms Rooms { get; } = new();

    /// <summary>The rooms the token lets the user join and moderate (replaced by a refresh).</summary>
    public RoomAccess Access { get; set; } = RoomAccess.Everyone;

    /// <summary>The token's exp, unix seconds; 0: no token (auth off).</summary>
    public long ExpiresAt { get; set; }

    /// <summary>Whether the connection was added to the user directory (false when over the per-user cap).</summary>
    public bool Registered { get; set; }

    /// <summary>The last request still waiting (on Redis, or on a busy room); later requests run after it, in order.</summary>
    public Task? Tail { get; set; }

    /// <summary><see cref="Tail"/> is only room sends (a later room send may go to the router at once: Redis keeps their order).</summary>
    public bool TailIsRoomSends { get; set; }

    /// <summary>Set while handling a room send.</summary>
    public bool RoomSendIssued { get; set; }
}
