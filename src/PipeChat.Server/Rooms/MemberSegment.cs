
namespace PipeChat.Server.Rooms;

/// <summary>
/// A fixed block of <see cref="MemberSet.SegmentSize"/> member slots. Readers scan
/// <c>Slots[0..High)</c> without a lock and skip empty (null) slots; the single writer of the
/// owning <see cref="MemberSet"/> fills a slot before raising <see cref="High"/>, and empties a
/// slot by writing null. A member never moves to another slot while it stays, so a scan that
/// overlaps joins and leaves still sees every member that stayed exactly once (a connection that
/// leaves and rejoins gets a new slot, which the scan may reach too).
/// </summary>
internal sealed class MemberSegment
{
    public readonly IRoomMember?[] Slots = new IRoomMember?[MemberSet.SegmentSize];

    /// <summary>Slots in use so far; readers use <see cref="Volatile.Read(ref int)"/>.</summary>
    public int High;

    /// <summary>Occupied slots (writer only).</summary>
    public int Live;

    /// <summary>Position in the set's list of segments with a free slot, or -1 (writer only).</summary>
    public int OpenPosition = -1;

    private readonly int[] _free = new int[MemberSet.SegmentSize];
    private int _freeCount;

    public bool IsFull => Live == MemberSet.SegmentSize;

    /// <summary>Puts a member in a free slot (a hole left by a leave first) and returns its index.</summary>
    public int Add(IRoomMember connection)
    {
        int index;
        if (_freeCount > 0)
        {
            index = _free[--_freeCount];
            Volatile.Write(ref Slots[index], connection);
        }
        else
        {
            index = High;
            Volatile.Write(ref Slots[index], connection);
            Volatile.Write(ref High, index + 1);
        }

        Live++;
        return index;
    }

    /// <summary>Empties a slot; when the segment becomes empty it starts again from slot 0.</summary>
    public void Remove(int index)
    {
        Volatile.Write(ref Slots[index], null);
        if (--Live == 0)
        {
            _freeCount = 0;
            Volatile.Write(ref High, 0);
        }
        else
        {
            _free[_freeCount++] = index;
        }
    }
}
