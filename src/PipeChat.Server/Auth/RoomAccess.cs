namespace PipeChat.Server.Auth;

/// <summary>
/// Which rooms a token lets its user join (<c>rooms</c> claim) and moderate (<c>mod</c> claim):
/// each a list of room ids, or prefixes ending in <c>*</c> (<c>"class-7-*"</c>; a lone <c>"*"</c>
/// is every room). No <c>rooms</c> claim: every room. No <c>mod</c> claim: none. A moderator of a
/// room may also join it. Immutable; checks compare spans and allocate nothing.
/// </summary>
public sealed class RoomAccess
{
    /// <summary>Longest pattern, in UTF-8 bytes (a room id's limit).</summary>
    public const int MaxPatternBytes = 128;

    /// <summary>Most patterns one claim may list.</summary>
    public const int MaxPatterns = 256;

    /// <summary>Every room, no moderation: a token without the claims, or auth off.</summary>
    public static readonly RoomAccess Everyone = new(null, []);

    private readonly string[]? _rooms;
    private readonly string[] _moderated;

    /// <param name="rooms">Patterns of the rooms the user may join; null: every room.</param>
    /// <param name="moderated">Patterns of the rooms the user moderates.</param>
    public RoomAccess(string[]? rooms, string[] moderated)
    {
        _rooms = rooms;
        _moderated = moderated;
    }

    /// <summary>Whether the user may join any room (no <c>rooms</c> claim).</summary>
    public bool AllRooms => _rooms is null;

    /// <summary>The <c>rooms</c> patterns (null: every room).</summary>
    public IReadOnlyList<string>? Rooms => _rooms;

    /// <summary>The <c>mod</c> patterns.</summary>
    public IReadOnlyList<string> Moderated => _moderated;

    /// <summary>Whether the user may join, read and query <paramref name="roomId"/>.</summary>
    public bool MayJoin(ReadOnlySpan<char> roomId) => _rooms is null || Matches(_rooms, roomId) || Moderates(roomId);

    /// <summary>Whether the user moderates <paramref name="roomId"/>.</summary>
    public bool Moderates(ReadOnlySpan<char> roomId) => _moderated.Length != 0 && Matches(_moderated, roomId);

    /// <summary>A pattern: 1 to <see cref="MaxPatternBytes"/> UTF-8 bytes, <c>*</c> only as its last character.</summary>
    public static bool IsValidPattern(string pattern)
    {
        if (pattern.Length == 0 || System.Text.Encoding.UTF8.GetByteCount(pattern) > MaxPatternBytes)
        {
            return false;
        }

        var star = pattern.IndexOf('*');
        return star < 0 || star == pattern.Length - 1;
    }

    private static bool Matches(string[] patterns, ReadOnlySpan<char> roomId)
    {
        foreach (var pattern in patterns)
        {
            if (pattern[^1] == '*')
            {
                if (roomId.StartsWith(pattern.AsSpan(0, pattern.Length - 1), StringComparison.Ordinal))
                {
                    return true;
                }
            }
            else if (roomId.SequenceEqual(pattern))
            {
                return true;
            }
        }

        return false;
    }
}
