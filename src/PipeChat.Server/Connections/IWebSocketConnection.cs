using PipeChat.Server.Rooms;

namespace PipeChat.Server.Connections;

/// <summary>
/// What an <see cref="IWebSocketApplication"/> sees of one open WebSocket connection: a room
/// member (id, user, queued sends) that also carries the application's per-connection state and
/// can be asked to close.
/// </summary>
internal interface IWebSocketConnection : IRoomMember
{
    /// <summary>Per-connection state owned by the application (e.g. the rooms it joined).</summary>
    object? ApplicationState { get; set; }

    /// <summary>The remote endpoint, for limits and logs.</summary>
    System.Net.EndPoint? RemoteEndPoint { get; }

    /// <summary>
    /// Starts the closing handshake from our side (once): queues a close frame and waits, within
    /// the close timeout, for the peer's close before dropping TCP. Safe from any thread.
    /// </summary>
    void RequestClose(ushort code, ReadOnlySpan<byte> reason);

    /// <summary>
    /// Closes the connection with <paramref name="close"/> at the first heartbeat at or after tick
    /// <paramref name="tick"/> (<see cref="Environment.TickCount64"/>); a later call replaces the
    /// deadline (<see cref="long.MaxValue"/>: none). Safe from any thread; no timer per connection.
    /// </summary>
    void CloseAt(long tick, ScheduledClose close);
}
