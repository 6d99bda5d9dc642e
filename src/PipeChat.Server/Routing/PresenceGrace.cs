namespace PipeChat.Server.Routing;

/// <summary>
/// Leaves held back by --presence-grace-seconds on this node: a connection that dropped (closed,
/// not a <c>leave</c> request) is out of the room at once, but its <c>leave</c> event waits for
/// the grace. A join by the same user into the same room inside it takes the held leave and
/// announces nothing (a mini-program back from the background); when the grace ends, a leave
/// still held goes out (<see cref="HeldLeave"/>). Counted per room and user, so two dropped
/// connections need two resumes. Any thread.
/// </summary>
internal sealed class PresenceGrace(double seconds)
{
    private readonly Dictionary<(string Room, string User), int> _held = [];
    private readonly Lock _lock = new();

    public TimeSpan Period { get; } = TimeSpan.FromSeconds(seconds);

    public bool Enabled => Period > TimeSpan.Zero;

    public void Hold(string roomId, string userId)
    {
        lock (_lock)
        {
            _held[(roomId, userId)] = _held.GetValueOrDefault((roomId, userId)) + 1;
        }
    }

    /// <summary>Takes one held leave of the user in the room (a resume, or the grace's end); false when none is held.</summary>
    public bool TryTake(string roomId, string userId)
    {
        lock (_lock)
        {
            if (!_held.TryGetValue((roomId, userId), out var count))
            {
                return false;
            }

            if (count <= 1)
            {
                _held.Remove((roomId, userId));
            }
            else
            {
                _held[(roomId, userId)] = count - 1;
            }

            return true;
        }
    }
}
