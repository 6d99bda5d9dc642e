
namespace PipeChat.Server.Rooms;

/// <summary>
/// Allocation-free, lock-free scan of a <see cref="MemberSet"/> snapshot. Members that stay
/// during the scan are seen exactly once; members joining or leaving meanwhile may or may not be.
/// A scan sees memberships, not connections: a connection that leaves and rejoins while a scan
/// runs is two memberships and may be seen once for each (callers that must not send twice
/// serialize joins with their sends, as <see cref="RoomChannel"/> does).
/// </summary>
public struct MemberEnumerator
{
    private readonly MemberSegment[] _segments;
    private int _segmentIndex;
    private int _slotIndex;
    private int _high;
    private IRoomMember? _current;

    internal MemberEnumerator(MemberSegment[] segments)
    {
        _segments = segments;
        _segmentIndex = -1;
        _slotIndex = 0;
        _high = 0;
        _current = null;
    }

    public readonly IRoomMember Current => _current!;

    public readonly MemberEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        while (true)
        {
            if (_segmentIndex >= 0)
            {
                var slots = _segments[_segmentIndex].Slots;
                while (_slotIndex < _high)
                {
                    var member = Volatile.Read(ref slots[_slotIndex++]);
                    if (member is not null)
                    {
                        _current = member;
                        return true;
                    }
                }
            }

            if (++_segmentIndex >= _segments.Length)
            {
                _current = null;
                return false;
            }

            _slotIndex = 0;
            _high = Volatile.Read(ref _segments[_segmentIndex].High);
        }
    }
}
