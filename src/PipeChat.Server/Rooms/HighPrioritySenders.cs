using System.Collections.Concurrent;

namespace PipeChat.Server.Rooms;

/// <summary>
/// Who may send high-priority room messages besides the server API: per room, the users the app's
/// backend named through the server API (<c>/api/room-host</c>, e.g. the live stream's host).
/// Members not named get <c>forbidden</c>. Kept per node (set it on every node, or through one
/// node's API with the same body on the others). A token claim check (e.g. rooms a user
/// moderates) can be added next to this one.
/// </summary>
internal sealed class HighPrioritySenders
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _byRoom = new(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="userId"/> may send high priority to <paramref name="roomId"/>.</summary>
    public bool MayUseHigh(string roomId, string userId)
        => _byRoom.TryGetValue(roomId, out var users) && users.ContainsKey(userId);

    /// <summary>Grants or withdraws high priority in one room.</summary>
    public void Set(string roomId, string userId, bool allowed)
    {
        if (allowed)
        {
            _byRoom.GetOrAdd(roomId, static _ => new ConcurrentDictionary<string, byte>(StringComparer.Ordinal))[userId] = 0;
        }
        else if (_byRoom.TryGetValue(roomId, out var users))
        {
            users.TryRemove(userId, out _);
            if (users.IsEmpty)
            {
                _byRoom.TryRemove(roomId, out _);
            }
        }
    }
}
