using PipeChat.Server.Rooms;

namespace PipeChat.Server.Tests.Rooms;

public class RoomTests
{
    private static Room NewRoom(RoomRegistry registry, FakeConnection first) => registry.Join("r1", first).Room;

    [Fact]
    public void Publish_reaches_every_member_once_and_returns_the_delivered_count()
    {
        var registry = new RoomRegistry();
        var a = new FakeConnection("a");
        var b = new FakeConnection("b");
        var c = new FakeConnection("c");
        var room = NewRoom(registry, a);
        registry.Join("r1", b);
        registry.Join("r1", c);

        var frame = FakeConnection.Text("hello");
        var delivered = room.Publish(frame);
        frame.Release();

        Assert.Equal(3, delivered);
        Assert.All(new[] { a, b, c }, m => Assert.Equal(["hello"], m.Received));
    }

    [Fact]
    public void Publish_skips_the_excepted_member()
    {
        var registry = new RoomRegistry();
        var a = new FakeConnection("a");
        var b = new FakeConnection("b");
        var room = NewRoom(registry, a);
        registry.Join("r1", b);

        var frame = FakeConnection.Text("x");
        Assert.Equal(1, room.Publish(frame, except: a));
        frame.Release();

        Assert.Empty(a.Received);
        Assert.Equal(["x"], b.Received);
    }

    [Fact]
    public void A_member_that_fails_TrySend_is_skipped_and_the_others_still_receive()
    {
        var registry = new RoomRegistry();
        var members = Enumerable.Range(0, 5).Select(i => new FakeConnection("u" + i, accepts: i != 2)).ToArray();
        var room = NewRoom(registry, members[0]);
        foreach (var m in members.Skip(1))
        {
            registry.Join("r1", m);
        }

        var frame = FakeConnection.Text("m");
        Assert.Equal(4, room.Publish(frame));
        frame.Release();

        Assert.Equal(1, members[2].TrySendCalls);
        Assert.Empty(members[2].Received);
        Assert.All(members.Where((_, i) => i != 2), m => Assert.Equal(["m"], m.Received));
    }

    [Fact]
    public void A_member_that_left_receives_nothing_more()
    {
        var registry = new RoomRegistry();
        var a = new FakeConnection("a");
        var b = new FakeConnection("b");
        var room = NewRoom(registry, a);
        registry.Join("r1", b);

        Assert.Equal(RoomLeaveStatus.Left, registry.Leave("r1", b));
        var frame = FakeConnection.Text("after");
        Assert.Equal(1, room.Publish(frame));
        frame.Release();

        Assert.Empty(b.Received);
        Assert.Equal(1, room.MemberCount);
        Assert.False(room.Contains(b));
        Assert.True(room.Contains(a));
    }

    [Fact]
    public void A_connection_that_leaves_and_rejoins_during_a_publish_is_two_memberships_and_may_get_the_frame_once_from_each()
    {
        var registry = new RoomRegistry();
        var x = new FakeConnection("x");
        var hook = new FakeConnection("hook");
        var z = new FakeConnection("z");
        var room = NewRoom(registry, x);
        registry.Join("r1", hook);
        registry.Join("r1", z);

        // The scan has passed x (slot 0) and is at hook (slot 1): x leaves, z leaves, and x rejoins
        // in the hole z left (slot 2), ahead of the scan. The frame reaches x's old membership and
        // its new one; a publish never sees one membership twice (the churn test checks that).
        hook.OnAccepted = () =>
        {
            hook.OnAccepted = null;
            Assert.Equal(RoomLeaveStatus.Left, registry.Leave(room, x));
            Assert.Equal(RoomLeaveStatus.Left, registry.Leave(room, z));
            Assert.Equal(RoomJoinStatus.Joined, registry.Join("r1", x).Status);
        };

        var frame = FakeConnection.Text("m");
        Assert.Equal(3, room.Publish(frame));
        var next = FakeConnection.Text("n");
        Assert.Equal(2, room.Publish(next));
        frame.Release();
        next.Release();

        Assert.Equal(["m", "m", "n"], x.Received);
        Assert.Equal(["m", "n"], hook.Received);
        Assert.Empty(z.Received);
    }

    [Fact]
    public void Members_that_stay_get_a_publish_exactly_once_while_segments_are_emptied_refilled_added_and_dropped_under_it()
    {
        const int Size = 256;
        var registry = new RoomRegistry();
        FakeConnection[] Many(string prefix, int count) => [.. Enumerable.Range(0, count).Select(i => new FakeConnection(prefix + i))];
        var first = Many("a", Size);           // segment 0, full
        var hook = new FakeConnection("hook");  // segment 1, slot 0
        var leavers = Many("e", Size - 1);      // the rest of segment 1
        var last = Many("c", Size);            // segment 2, full
        var room = NewRoom(registry, first[0]);
        foreach (var m in first.Skip(1).Append(hook).Concat(leavers).Concat(last))
        {
            registry.Join("r1", m);
        }

        // Make segment 1 the only one with room (its high mark stays at 256).
        foreach (var e in leavers.Take(155))
        {
            registry.Leave(room, e);
        }

        Assert.Equal(3, room.SegmentCount);
        var stayingLeavers = leavers.Skip(155).ToArray();
        var newcomers = Many("n", Size + 44);
        hook.OnAccepted = () =>
        {
            hook.OnAccepted = null;

            // Empty segment 1 under the scan: it is kept as the spare and starts again at slot 0.
            registry.Leave(room, hook);
            foreach (var e in stayingLeavers)
            {
                registry.Leave(room, e);
            }

            Assert.Equal(3, room.SegmentCount);

            // Refill it (the scan is at slot 0 with a stale high mark) and grow a segment past the scan's snapshot.
            foreach (var n in newcomers)
            {
                registry.Join("r1", n);
            }

            Assert.Equal(4, room.SegmentCount);

            // Open holes in segment 1, empty the new segment (it is dropped), and rejoin some leavers into the holes.
            foreach (var n in newcomers.Skip(100).Take(10).Concat(newcomers.Skip(Size)))
            {
                registry.Leave(room, n);
            }

            Assert.Equal(3, room.SegmentCount);
            foreach (var e in stayingLeavers.Take(10))
            {
                registry.Join("r1", e);
            }
        };

        var frame = FakeConnection.Text("m");
        var delivered = room.Publish(frame);
        frame.Release();

        var everyone = first.Append(hook).Concat(leavers).Concat(last).Concat(newcomers).ToArray();
        Assert.Equal(everyone.Sum(m => m.Received.Count), delivered);
        Assert.All(first.Concat(last), m => Assert.Equal(["m"], m.Received));
        Assert.Equal(["m"], hook.Received);
        Assert.All(leavers.Concat(newcomers), m => Assert.InRange(m.Received.Count, 0, 1));

        // The next publish reaches exactly the members now, once each.
        var next = FakeConnection.Text("x");
        Assert.Equal(room.MemberCount, room.Publish(next));
        next.Release();
        Assert.All(everyone, m => Assert.Equal(room.Contains(m) ? 1 : 0, m.Received.Count(t => t == "x")));
    }

    [Fact]
    public void GetUsers_returns_distinct_user_ids_bounded_by_max_and_the_totals()
    {
        var registry = new RoomRegistry();
        var room = registry.Join("r", new FakeConnection("alice")).Room;
        registry.Join("r", new FakeConnection("alice"));
        registry.Join("r", new FakeConnection("bob"));
        registry.Join("r", new FakeConnection("carol"));

        var all = room.GetUsers(10);
        Assert.Equal(["alice", "bob", "carol"], all.UserIds.Order(StringComparer.Ordinal));
        Assert.Equal(3, all.UserCount);
        Assert.Equal(4, all.ConnectionCount);

        var bounded = room.GetUsers(2);
        Assert.Equal(2, bounded.UserIds.Count);
        Assert.Equal(2, bounded.UserIds.Distinct().Count());
        Assert.Equal(3, bounded.UserCount);
    }

    [Fact]
    public void UserCount_counts_a_user_once_until_their_last_connection_leaves()
    {
        var registry = new RoomRegistry();
        var a1 = new FakeConnection("alice");
        var a2 = new FakeConnection("alice");
        var room = registry.Join("r", a1).Room;
        registry.Join("r", a2);
        registry.Join("r", new FakeConnection("bob"));
        Assert.Equal(2, room.UserCount);

        registry.Leave(room, a1);
        Assert.Equal(2, room.UserCount);
        registry.Leave(room, a2);
        Assert.Equal(1, room.UserCount);
        Assert.Equal(["bob"], room.GetUsers(10).UserIds);
    }

    [Fact]
    public void GetMembers_enumerates_every_current_member_once()
    {
        var registry = new RoomRegistry();
        var members = Enumerable.Range(0, 600).Select(i => new FakeConnection("u" + i)).ToArray();
        foreach (var m in members)
        {
            registry.Join("r", m);
        }

        foreach (var m in members.Where((_, i) => i % 3 == 0))
        {
            registry.Leave("r", m);
        }

        Assert.True(registry.TryGetRoom("r", out var room));
        var seen = new List<long>();
        foreach (var member in room.GetMembers())
        {
            seen.Add(member.ConnectionId);
        }

        Assert.Equal(members.Where((_, i) => i % 3 != 0).Select(m => m.ConnectionId).Order(), seen.Order());
    }

    [Fact]
    public void Fifty_thousand_members_join_then_leave_in_random_order_leaving_an_empty_closed_room()
    {
        const int N = 50_000;
        var registry = new RoomRegistry();
        var members = new CountingConnection[N];
        for (var i = 0; i < N; i++)
        {
            members[i] = new CountingConnection(i + 1, "u" + i);
            Assert.Equal(RoomJoinStatus.Joined, registry.Join("big", members[i]).Status);
        }

        Assert.True(registry.TryGetRoom("big", out var room));
        Assert.Equal(N, room.MemberCount);
        Assert.Equal(N, room.UserCount);

        var frame = FakeConnection.Text("all");
        Assert.Equal(N, room.Publish(frame));

        var order = Enumerable.Range(0, N).ToArray();
        new Random(12345).Shuffle(order);

        // Half leave, then everyone still in gets the next message exactly once.
        foreach (var i in order.AsSpan(0, N / 2))
        {
            Assert.Equal(RoomLeaveStatus.Left, registry.Leave(room, members[i]));
        }

        Assert.Equal(N / 2, room.Publish(frame));
        foreach (var i in order.AsSpan(0, N / 2))
        {
            Assert.Equal(1, members[i].Count);
        }

        foreach (var i in order.AsSpan(N / 2))
        {
            Assert.Equal(2, members[i].Count);
        }

        foreach (var i in order.AsSpan(N / 2, N / 2 - 1))
        {
            Assert.Equal(RoomLeaveStatus.Left, registry.Leave(room, members[i]));
        }

        Assert.Equal(RoomLeaveStatus.LeftAndClosed, registry.Leave(room, members[order[^1]]));
        frame.Release();

        Assert.Equal(0, room.MemberCount);
        Assert.Equal(0, room.UserCount);
        Assert.True(room.IsClosed);
        Assert.False(registry.TryGetRoom("big", out _));
        Assert.Equal(0, registry.RoomCount);
    }

    [Fact]
    public void Joins_after_leaves_reuse_the_holes_instead_of_adding_segments()
    {
        var registry = new RoomRegistry();
        var members = Enumerable.Range(0, 10 * 256).Select(i => new CountingConnection(i + 1, "u")).ToArray();
        foreach (var m in members)
        {
            registry.Join("r", m);
        }

        var room = registry.Join("r", members[0]).Room;
        var segments = room.SegmentCount;
        var rng = new Random(7);
        var leavers = members.Where(_ => rng.Next(2) == 0).ToArray();
        foreach (var m in leavers)
        {
            registry.Leave(room, m);
        }

        foreach (var m in leavers)
        {
            registry.Join("r", m);
        }

        Assert.Equal(members.Length, room.MemberCount);
        Assert.Equal(segments, room.SegmentCount);
    }
}
