using PipeChat.Server.Rooms;

namespace PipeChat.Server.Tests.Rooms;

public class UserDirectoryTests
{
    [Fact]
    public void A_private_message_reaches_every_connection_of_the_user()
    {
        var directory = new UserDirectory();
        var bob1 = new FakeConnection("bob");
        var bob2 = new FakeConnection("bob");
        var alice = new FakeConnection("alice");
        Assert.Equal(UserAddStatus.CameOnline, directory.TryAdd(bob1, 5));
        Assert.Equal(UserAddStatus.Added, directory.TryAdd(bob2, 5));
        Assert.Equal(UserAddStatus.CameOnline, directory.TryAdd(alice, 5));

        var frame = FakeConnection.Text("hi bob");
        Assert.Equal(2, directory.SendToUser("bob", frame));
        frame.Release();

        Assert.Equal(["hi bob"], bob1.Received);
        Assert.Equal(["hi bob"], bob2.Received);
        Assert.Empty(alice.Received);
        Assert.Equal(2, directory.ConnectionCount("bob"));
        Assert.Equal(3, directory.TotalConnections);
        Assert.Equal(2, directory.TotalUsers);
    }

    [Fact]
    public void SendToUser_can_skip_the_sending_connection()
    {
        var directory = new UserDirectory();
        var bob1 = new FakeConnection("bob");
        var bob2 = new FakeConnection("bob");
        directory.TryAdd(bob1, 5);
        directory.TryAdd(bob2, 5);

        var frame = FakeConnection.Text("sync");
        Assert.Equal(1, directory.SendToUser("bob", frame, except: bob1));
        frame.Release();
        Assert.Empty(bob1.Received);
    }

    [Fact]
    public void A_user_at_the_connection_cap_cannot_add_another_until_one_goes()
    {
        var directory = new UserDirectory();
        var connections = Enumerable.Range(0, 3).Select(_ => new FakeConnection("u")).ToArray();
        foreach (var c in connections)
        {
            Assert.NotEqual(UserAddStatus.LimitReached, directory.TryAdd(c, 3));
        }

        var extra = new FakeConnection("u");
        Assert.Equal(UserAddStatus.LimitReached, directory.TryAdd(extra, 3));
        Assert.Equal(3, directory.ConnectionCount("u"));
        Assert.Equal(3, directory.TotalConnections);

        Assert.Equal(UserRemoveStatus.Removed, directory.Remove(connections[0]));
        Assert.Equal(UserAddStatus.Added, directory.TryAdd(extra, 3));
        Assert.Equal(UserAddStatus.AlreadyAdded, directory.TryAdd(extra, 3));
    }

    [Fact]
    public void An_offline_user_gets_nothing_and_SendToUser_returns_0()
    {
        var directory = new UserDirectory();
        var bob = new FakeConnection("bob");
        directory.TryAdd(bob, 5);
        Assert.True(directory.IsOnline("bob"));

        Assert.Equal(UserRemoveStatus.WentOffline, directory.Remove(bob));
        Assert.Equal(UserRemoveStatus.NotFound, directory.Remove(bob));

        var frame = FakeConnection.Text("anyone?");
        Assert.Equal(0, directory.SendToUser("bob", frame));
        Assert.Equal(0, directory.SendToUser("nobody", frame));
        frame.Release();
        Assert.False(directory.IsOnline("bob"));
        Assert.Equal(0, directory.ConnectionCount("bob"));
        Assert.Equal(0, directory.TotalUsers);
        Assert.Equal(0, directory.TotalConnections);
    }

    [Fact]
    public void Broadcast_reaches_every_connection_but_the_excepted_and_skips_failing_ones()
    {
        var directory = new UserDirectory();
        var users = Enumerable.Range(0, 700).Select(i => new FakeConnection("u" + (i % 300), accepts: i != 5)).ToArray();
        foreach (var u in users)
        {
            directory.TryAdd(u, 5);
        }

        var frame = FakeConnection.Text("all");
        Assert.Equal(698, directory.Broadcast(frame, except: users[0]));
        frame.Release();

        Assert.Empty(users[0].Received);
        Assert.Empty(users[5].Received);
        Assert.All(users.Skip(6), u => Assert.Equal(["all"], u.Received));

        var seen = 0;
        foreach (var _ in directory.GetConnections())
        {
            seen++;
        }

        Assert.Equal(700, seen);
    }

    [Fact]
    public void An_add_that_finds_the_users_entry_closed_but_not_yet_removed_retries_with_a_fresh_entry()
    {
        var directory = new UserDirectory();
        var leaving = new FakeConnection("u");
        directory.TryAdd(leaving, 5);
        var stale = directory.FindEntry("u")!;

        // The user's last connection has closed the entry but not yet removed it from the directory.
        Assert.True(stale.Remove(leaving));

        var arriving = new FakeConnection("u");
        Assert.Equal(UserAddStatus.CameOnline, directory.TryAdd(arriving, 5));
        Assert.NotSame(stale, directory.FindEntry("u"));

        var frame = FakeConnection.Text("found");
        Assert.Equal(1, directory.SendToUser("u", frame));
        frame.Release();
        Assert.Equal(["found"], arriving.Received);
    }

    [Fact]
    public void An_add_racing_the_users_last_removal_is_never_lost()
    {
        var directory = new UserDirectory();
        const int Iterations = 20_000;
        var first = new FakeConnection("same");
        var second = new FakeConnection("same");
        var lost = 0;
        Concurrently.Run(
            () =>
            {
                for (var i = 0; i < Iterations; i++)
                {
                    directory.TryAdd(first, 5);
                    directory.Remove(first);
                }
            },
            () =>
            {
                for (var i = 0; i < Iterations; i++)
                {
                    directory.TryAdd(second, 5);
                    if (!directory.IsOnline("same"))
                    {
                        Interlocked.Increment(ref lost);
                    }

                    directory.Remove(second);
                }
            });

        Assert.Equal(0, lost);
        Assert.False(directory.IsOnline("same"));
        Assert.Equal(0, directory.TotalUsers);
        Assert.Equal(0, directory.TotalConnections);
    }
}
