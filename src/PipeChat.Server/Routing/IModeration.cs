namespace PipeChat.Server.Routing;

/// <summary>
/// Rooms' moderation state (read-only, mutes, bans), chosen at start-up: <see cref="LocalModeration"/>
/// on one node, the Redis one with --redis (shared by every node, kept across restarts). Checks
/// are synchronous and read this node's copy; changes return once they hold (on every node with
/// Redis). What a change does to connections (a ban putting members out) goes through the
/// <see cref="IChatRouter"/>, not here.
/// </summary>
internal interface IModeration : IDisposable
{
    /// <summary>Starts talking to the store (returns at once).</summary>
    void Start();

    /// <summary>Whether a member (not a moderator) may send a room message now; with <see cref="SendCheck.Muted"/>, the seconds left (null: until lifted).</summary>
    SendCheck CheckSend(ReadOnlySpan<char> roomId, string userId, out long? secondsLeft);

    /// <summary>Whether the user is banned from the room, and the seconds left (null: until lifted).</summary>
    bool IsBanned(ReadOnlySpan<char> roomId, string userId, out long? secondsLeft);

    /// <summary>Before a join's ban check: brings this node's copy of the room up to date; null when it already is.</summary>
    Task? PrepareJoin(ReadOnlySpan<char> roomId);

    Task SetReadOnly(string roomId, bool on);

    /// <summary>Mutes for <paramref name="seconds"/> (0 lifts; null: until lifted).</summary>
    Task Mute(string roomId, string userId, long? seconds);

    /// <summary>Bans for <paramref name="seconds"/> (0 lifts; null: until lifted).</summary>
    Task Ban(string roomId, string userId, long? seconds);

    /// <summary>Drops ended mutes and bans (called every few seconds).</summary>
    void Sweep();
}
