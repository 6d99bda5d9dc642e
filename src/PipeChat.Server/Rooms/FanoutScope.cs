namespace PipeChat.Server.Rooms;

/// <summary>
/// Marks the thread while a room fans a frame out to several members (<see cref="Room.Publish"/>):
/// a member's writer woken meanwhile goes through the thread pool, in member order, rather than
/// running on this thread after the read (the sender's own copy included), so an open-loop sender
/// is paced by its room instead of being served ahead of it.
/// </summary>
internal static class FanoutScope
{
    [ThreadStatic]
    private static bool t_active;

    public static bool IsActive => t_active;

    /// <summary>Enters the scope when <paramref name="severalMembers"/>; returns the previous state for <see cref="Exit"/>.</summary>
    public static bool Enter(bool severalMembers)
    {
        var outer = t_active;
        t_active = outer || severalMembers;
        return outer;
    }

    public static void Exit(bool outer) => t_active = outer;
}
