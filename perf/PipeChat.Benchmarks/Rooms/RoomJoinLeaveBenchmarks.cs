using BenchmarkDotNet.Attributes;
using PipeChat.Server.Rooms;

namespace PipeChat.Benchmarks.Rooms;

/// <summary>One join and one leave in a room of 50,000 members: must cost microseconds, not a copy of the membership.</summary>
[MemoryDiagnoser]
public class RoomJoinLeaveBenchmarks
{
    private const int Members = 50_000;
    private readonly RoomRegistry _registry = new();
    private NoopConnection[] _members = [];
    private NoopConnection _newcomer = null!;
    private Room _room = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _members = new NoopConnection[Members];
        for (var i = 0; i < Members; i++)
        {
            _members[i] = new NoopConnection(i + 1, "user" + i);
            _registry.Join("big", _members[i]);
        }

        _newcomer = new NoopConnection(Members + 1, "newcomer");
        _registry.TryGetRoom("big", out var room);
        _room = room!;
    }

    /// <summary>A new member joins (by room id, span lookup) and leaves again.</summary>
    [Benchmark(Baseline = true)]
    public RoomLeaveStatus JoinThenLeave_NewMember()
    {
        _registry.Join("big", _newcomer);
        return _registry.Leave(_room, _newcomer);
    }

    /// <summary>An existing member somewhere in the room leaves (leaving a hole) and joins again (refilling it).</summary>
    [Benchmark]
    public RoomJoinStatus LeaveThenRejoin_ExistingMember()
    {
        var member = _members[_next];
        _next = (_next + 7919) % Members;
        _registry.Leave(_room, member);
        return _registry.Join("big", member).Status;
    }
}
