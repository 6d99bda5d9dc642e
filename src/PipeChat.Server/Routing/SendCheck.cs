namespace PipeChat.Server.Routing;

/// <summary>What moderation says of a room message about to be sent (<see cref="IModeration.CheckSend"/>).</summary>
internal enum SendCheck : byte
{
    Allowed,

    /// <summary>The room is read-only: only moderators and the server API may send.</summary>
    ReadOnly,

    /// <summary>The sender is muted in the room.</summary>
    Muted,
}
