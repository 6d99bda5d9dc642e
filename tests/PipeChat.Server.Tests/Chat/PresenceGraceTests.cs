using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Chat;

/// <summary>
/// --presence-grace-seconds on a single node: a dropped connection's leave waits for the grace; a
/// join by the same user within it (a mini-program back from the background) shows the others
/// neither a leave nor a join. A leave request is never held.
/// </summary>
public sealed class PresenceGraceTests
{
    [Fact]
    public async Task A_user_back_within_the_grace_shows_no_leave_join_pair_and_a_user_who_stays_away_leaves_after_it()
    {
        await using var server = await TestServer.StartAsync("--presence-grace-seconds", "1");
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        var bob = await ChatClient.ConnectAsync(server, "/bob");
        await alice.JoinAsync("r1");
        await bob.JoinAsync("r1");
        await alice.ExpectAsync(Messages.OfType("join"));

        bob.Abort();
        await Eventually.UntilAsync(
            async () =>
            {
                await alice.SendAsync("""{"type":"query","data":{"roomid":"r1"}}""");
                return (await alice.NextAsync("members")).GetProperty("data").GetProperty("count").GetInt32() == 1;
            },
            TimeSpan.FromSeconds(10),
            "bob's dropped connection out of the room");
        await using var bobAgain = await ChatClient.ConnectAsync(server, "/bob");
        await bobAgain.JoinAsync("r1", since: 0);
        await Task.Delay(TimeSpan.FromSeconds(2)); // The grace (1 s) runs out under test: no leave may come.
        Assert.DoesNotContain(await alice.SyncAsync(), m => m.Type is "join" or "leave");

        // Away for good: the leave comes after the grace.
        bobAgain.Abort();
        var leave = await alice.ExpectAsync(Messages.OfType("leave"), TimeSpan.FromSeconds(10));
        Assert.Equal("""{"type":"leave","data":{"roomid":"r1","id":"bob","count":1}}""", leave.Raw);
        await bob.DisposeAsync();
    }

    [Fact]
    public async Task A_leave_request_is_announced_at_once_whatever_the_grace()
    {
        await using var server = await TestServer.StartAsync("--presence-grace-seconds", "3600");
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");
        await alice.JoinAsync("r1");
        await bob.JoinAsync("r1");
        await alice.ExpectAsync(Messages.OfType("join"));

        await bob.SendAsync("""{"type":"leave","data":{"roomid":"r1"}}""");

        var leave = await alice.ExpectAsync(Messages.OfType("leave"));
        Assert.Equal("""{"type":"leave","data":{"roomid":"r1","id":"bob","count":1}}""", leave.Raw);
    }
}
