using PipeChat.Server.Rooms;

namespace PipeChat.Server.Tests.Rooms;

public class RoomRegistryTests
{
    [Fact]
    public void A_room_is_created_by_its_first_join_and_removed_when_its_last_member_leaves()
    {
        var registry = new RoomRegistry();
        var a = new FakeConnection("a");
        var b = new FakeConnection("b");
        Assert.False(registry.TryGetRoom("r", out _));

        var first = registry.Join("r", a);
        Assert.Equal(RoomJoinStatus.Joined, first.Status);
        Assert.True(first.FirstMember);
        Assert.Equal("r", first.Room.Id);
        Assert.Equal(1, registry.RoomCount);

        var second = registry.Join("r", b);
        Assert.False(second.FirstMember);
        Assert.Same(first.Room, second.Room);

        Assert.Equal(RoomLeaveStatus.Left, registry.Leave("r", a));
        Assert.True(registry.TryGetRoom("r", out _));
        Assert.Equal(RoomLeaveStatus.LeftAndClosed, registry.Leave("r", b));
        Assert.False(registry.TryGetRoom("r", out _));
        Assert.Equal(0, registry.RoomCount);
        Assert.True(first.Room.IsClosed);
    }

    [Fact]
    public void A_join_after_removal_gets_a_fresh_room()
    {
        var registry = new RoomRegistry();
        var a = new FakeConnection("a");
        var old = registry.Join("r", a).Room;
        registry.Leave(old, a);

        var again = registry.Join("r", a);
        Assert.True(again.FirstMember);
        Assert.NotSame(old, again.Room);
        Assert.False(again.Room.IsClosed);
        Assert.Equal(1, again.Room.MemberCount);
    }

    [Fact]
    public void Joining_twice_reports_AlreadyMember_and_changes_nothing()
    {
        var registry = new RoomRegistry();
        var a = new FakeConnection("a");
        registry.Join("r", a);
        var again = registry.Join("r", a);
        Assert.Equal(RoomJoinStatus.AlreadyMember, again.Status);
        Assert.Equal(1, again.Room.MemberCount);
    }

    [Fact]
    public void A_join_beyond_MaxMembersPerRoom_fails_with_RoomFull()
    {
        var registry = new RoomRegistry(new RoomRegistryOptions { MaxMembersPerRoom = 2 });
        var a = new FakeConnection("a");
        registry.Join("r", a);
        registry.Join("r", new FakeConnection("b"));

        var third = registry.Join("r", new FakeConnection("c"));
        Assert.Equal(RoomJoinStatus.RoomFull, third.Status);
        Assert.Equal(2, third.Room.MemberCount);
        Assert.Equal(RoomJoinStatus.AlreadyMember, registry.Join("r", a).Status);
    }

    [Fact]
    public void Leaving_a_room_one_is_not_in_or_that_does_not_exist_is_NotMember()
    {
        var registry = new RoomRegistry();
        registry.Join("r", new FakeConnection("a"));
        Assert.Equal(RoomLeaveStatus.NotMember, registry.Leave("r", new FakeConnection("b")));
        Assert.Equal(RoomLeaveStatus.NotMember, registry.Leave("nope", new FakeConnection("b")));
        Assert.Equal(1, registry.RoomCount);
    }

    [Fact]
    public void Lookups_by_span_find_the_room_created_from_a_string()
    {
        var registry = new RoomRegistry();
        var room = registry.Join("lobby", new FakeConnection("a")).Room;
        var buffer = "xxlobbyxx".AsSpan(2, 5);
        Assert.True(registry.TryGetRoom(buffer, out var found));
        Assert.Same(room, found);
    }

    [Fact]
    public void LeaveAll_takes_a_closing_connection_out_of_every_room_it_joined()
    {
        var registry = new RoomRegistry();
        var a = new FakeConnection("a");
        var b = new FakeConnection("b");
        var rooms = new ConnectionRooms();
        foreach (var id in new[] { "r1", "r2", "r3" })
        {
            rooms.Add(registry.Join(id, a).Room);
        }

        registry.Join("r2", b);
        Assert.Equal(3, rooms.Count);
        Assert.NotNull(rooms.Find("r2"));
        Assert.Null(rooms.Find("r4"));

        registry.LeaveAll(rooms, a);

        Assert.Equal(0, rooms.Count);
        Assert.Equal(1, registry.RoomCount);
        Assert.True(registry.TryGetRoom("r2", out var r2));
        Assert.False(r2.Contains(a));
    }

    [Fact]
    public void A_join_that_finds_a_room_closed_but_not_yet_removed_retries_with_a_fresh_room()
    {
        var registry = new RoomRegistry();
        var leaver = new FakeConnection("leaver");
        var stale = registry.Join("r", leaver).Room;

        // The last leaver has closed the room but not yet removed it from the registry.
        Assert.Equal(RoomLeaveStatus.LeftAndClosed, stale.Leave(leaver));
        Assert.False(registry.TryGetRoom("r", out _));

        var joiner = new FakeConnection("joiner");
        var result = registry.Join("r", joiner);

        Assert.Equal(RoomJoinStatus.Joined, result.Status);
        Assert.True(result.FirstMember);
        Assert.NotSame(stale, result.Room);
        Assert.Equal(0, stale.MemberCount);
        Assert.True(registry.TryGetRoom("r", out var current));
        Assert.Same(result.Room, current);
        Assert.Equal(1, registry.RoomCount);

        // The late leaver's removal must not take the fresh room with it.
        Assert.Equal(RoomLeaveStatus.NotMember, registry.Leave(stale, leaver));
        Assert.True(registry.TryGetRoom("r", out _));
    }

    [Fact]
    public void A_join_racing_the_removal_of_the_emptying_room_never_lands_in_a_removed_room()
    {
        var registry = new RoomRegistry();
        const int Iterations = 20_000;
        var churner = new FakeConnection("churn");
        var joiner = new FakeConnection("joiner");
        var lost = 0;
        Concurrently.Run(
            () =>
            {
                for (var i = 0; i < Iterations; i++)
                {
                    registry.Join("hot", churner);
                    registry.Leave("hot", churner);
                }
            },
            () =>
            {
                for (var i = 0; i < Iterations; i++)
                {
                    var result = registry.Join("hot", joiner);
                    if (result.Room.IsClosed || !registry.TryGetRoom("hot", out var current) || !ReferenceEquals(current, result.Room)
                        || !result.Room.Contains(joiner))
                    {
                        Interlocked.Increment(ref lost);
                    }

                    registry.Leave(result.Room, joiner);
                }
            });

        Assert.Equal(0, lost);
        Assert.Equal(0, registry.RoomCount);
        Assert.False(registry.TryGetRoom("hot", out _));
    }

    [Fact]
    public void Concurrent_joins_leaves_and_publishes_deliver_every_message_exactly_once_in_order_to_members_that_stayed()
    {
        const int Stayers = 300;
        const int Publishers = 2;
        const int MessagesPerPublisher = 1_000;
        const int Churners = 400;
        const int ChurnRounds = 50;

        var registry = new RoomRegistry();
        var stayers = Enumerable.Range(0, Stayers).Select(i => new FakeConnection("s" + i)).ToArray();
        foreach (var s in stayers)
        {
            registry.Join("room", s);
        }

        Assert.True(registry.TryGetRoom("room", out var room));
        var churners = Enumerable.Range(0, Churners).Select(i => new FakeConnection("c" + i)).ToArray();

        // One clock (a full fence per tick) orders every publish against every join and leave:
        // a publish ran within (Start, End); a churner's membership began within (JoinStart, JoinEnd)
        // and ended within (LeaveStart, LeaveEnd).
        var clock = 0L;
        var published = new (long Start, long End)[Publishers * MessagesPerPublisher];
        var memberships = churners.Select(_ => new (long JoinStart, long JoinEnd, long LeaveStart, long LeaveEnd)[ChurnRounds]).ToArray();
        var actions = new List<Action>();
        for (var p = 0; p < Publishers; p++)
        {
            var publisher = p;
            actions.Add(() =>
            {
                for (var n = 0; n < MessagesPerPublisher; n++)
                {
                    var frame = FakeConnection.Text($"{publisher}:{n}");
                    var start = Interlocked.Increment(ref clock);
                    room.Publish(frame);
                    published[(publisher * MessagesPerPublisher) + n] = (start, Interlocked.Increment(ref clock));
                    frame.Release();
                }
            });
        }

        for (var t = 0; t < 2; t++)
        {
            var half = Enumerable.Range(0, Churners).Where(i => i % 2 == t).ToArray();
            actions.Add(() =>
            {
                for (var round = 0; round < ChurnRounds; round++)
                {
                    foreach (var c in half)
                    {
                        memberships[c][round].JoinStart = Interlocked.Increment(ref clock);
                        registry.Join("room", churners[c]);
                        memberships[c][round].JoinEnd = Interlocked.Increment(ref clock);
                    }

                    foreach (var c in half)
                    {
                        memberships[c][round].LeaveStart = Interlocked.Increment(ref clock);
                        registry.Leave("room", churners[c]);
                        memberships[c][round].LeaveEnd = Interlocked.Increment(ref clock);
                    }
                }
            });
        }

        Concurrently.Run([.. actions]);

        Assert.Equal(Stayers, room.MemberCount);
        Assert.False(room.IsClosed);
        foreach (var s in stayers)
        {
            var received = s.Received;
            Assert.Equal(Publishers * MessagesPerPublisher, received.Count);
            for (var p = 0; p < Publishers; p++)
            {
                var prefix = p + ":";
                var fromP = received.Where(m => m.StartsWith(prefix, StringComparison.Ordinal)).ToArray();
                Assert.Equal(Enumerable.Range(0, MessagesPerPublisher).Select(n => prefix + n), fromP);
            }
        }

        // A publish sees memberships, not connections: a churner that leaves and rejoins while one
        // publish is scanning may get that message once from each membership (MemberEnumerator).
        // So a churner gets a message exactly once when one membership spans its whole publish,
        // never when none overlaps it, and never more often than memberships overlap it.
        for (var c = 0; c < Churners; c++)
        {
            Assert.False(room.Contains(churners[c]));
            var copies = new int[published.Length];
            var lastFrom = new int[Publishers];
            Array.Fill(lastFrom, -1);
            foreach (var text in churners[c].Received)
            {
                var colon = text.IndexOf(':', StringComparison.Ordinal);
                var p = int.Parse(text.AsSpan(0, colon), System.Globalization.CultureInfo.InvariantCulture);
                var n = int.Parse(text.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(n >= lastFrom[p], $"churner {c} got {text} after {p}:{lastFrom[p]}");
                lastFrom[p] = n;
                copies[(p * MessagesPerPublisher) + n]++;
            }

            for (var m = 0; m < published.Length; m++)
            {
                var (start, end) = published[m];
                var overlapping = memberships[c].Count(x => x.JoinStart < end && x.LeaveEnd > start);
                var spanning = memberships[c].Any(x => x.JoinEnd < start && end < x.LeaveStart);
                if (copies[m] > overlapping || (spanning && copies[m] != 1))
                {
                    Assert.Fail($"churner {c} got message {m / MessagesPerPublisher}:{m % MessagesPerPublisher} {copies[m]} time(s); "
                        + $"published within ({start}, {end}), memberships overlapping it: {overlapping}, one spanning it: {spanning}");
                }
            }
        }
    }
}
