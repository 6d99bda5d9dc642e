using System.Text.Json;
using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Chat;

/// <summary>History and resume: a client that drops and re-joins with since/epoch misses nothing.</summary>
public sealed class HistoryTests
{
    [Fact]
    public async Task Rejoin_with_since_and_epoch_replays_exactly_the_missed_messages_then_live_ones()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        var epoch = (await Join(alice, """{"roomid":"r1"}""")).Data.Str("epoch");
        var bob = await ChatClient.ConnectAsync(server, "/bob");
        await Join(bob, """{"roomid":"r1"}""");
        await SendRoomMessages(alice, 1, 3);
        Assert.Equal(3, (await bob.ExpectAsync(m => m.Type == "room" && m.Data.Num("seq") == 3)).Data.Num("seq"));
        await bob.DisposeAsync();

        await SendRoomMessages(alice, 4, 6);
        await using var bobAgain = await ChatClient.ConnectAsync(server, "/bob");
        var joined = await Join(bobAgain, $$"""{"roomid":"r1","since":3,"epoch":"{{epoch}}"}""");
        Assert.Equal(6, joined.Data.Num("seq"));
        await SendRoomMessages(alice, 7, 7);

        Assert.Equal([4, 5, 6, 7], await RoomSeqsUntil(bobAgain, 7));
    }

    [Fact]
    public async Task Rejoin_with_another_epoch_gets_reset()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await Join(alice, """{"roomid":"r1"}""");
        await SendRoomMessages(alice, 1, 2);

        await alice.SendAsync("""{"type":"join","data":{"roomid":"r1","since":1,"epoch":"from-before-a-restart"},"ref":"j"}""");

        var reset = await alice.ExpectAsync(Messages.OfType("reset"));
        Assert.Equal(2, reset.Data.Num("seq"));
        Assert.Equal("j", ChatClient.Ref(reset));
    }

    [Fact]
    public async Task Rejoin_further_back_than_the_history_keeps_gets_reset_and_no_partial_replay()
    {
        await using var server = await TestServer.StartAsync("--history-size", "3");
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        var epoch = (await Join(alice, """{"roomid":"r1"}""")).Data.Str("epoch");
        await SendRoomMessages(alice, 1, 6);
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");

        await bob.SendAsync($$$"""{"type":"join","data":{"roomid":"r1","since":2,"epoch":"{{{epoch}}}"}}""");
        await bob.ExpectAsync(Messages.OfType("reset"));
        var before = await bob.SyncAsync();
        Assert.DoesNotContain(before, m => m.Type == "room");

        // Exactly at the edge (history keeps 4, 5, 6): since 3 is served.
        await using var carol = await ChatClient.ConnectAsync(server, "/carol");
        await Join(carol, $$"""{"roomid":"r1","since":3,"epoch":"{{epoch}}"}""");
        await SendRoomMessages(alice, 7, 7);
        Assert.Equal([4, 5, 6, 7], await RoomSeqsUntil(carol, 7));
    }

    [Fact]
    public async Task History_pages_back_with_before_and_limit()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await Join(alice, """{"roomid":"r1"}""");
        await SendRoomMessages(alice, 1, 5);

        await alice.SendAsync("""{"type":"history","data":{"roomid":"r1","limit":2},"ref":"p1"}""");
        var newest = await alice.ExpectAsync(Messages.WithRef("history", "p1"));
        Assert.Equal([4, 5], Seqs(newest));
        Assert.True(newest.Data.GetProperty("more").GetBoolean());

        await alice.SendAsync("""{"type":"history","data":{"roomid":"r1","before":4,"limit":10},"ref":"p2"}""");
        var older = await alice.ExpectAsync(Messages.WithRef("history", "p2"));
        Assert.Equal([1, 2, 3], Seqs(older));
        Assert.False(older.Data.GetProperty("more").GetBoolean());
        var first = older.Data.GetProperty("messages")[0];
        Assert.Equal("room", first.GetProperty("type").GetString());
        Assert.Equal("alice", first.GetProperty("data").GetProperty("from").GetString());
        Assert.Equal(1, first.GetProperty("data").GetProperty("data").GetInt32());
    }

    [Fact]
    public async Task Resume_while_the_room_is_busy_has_no_gap_and_no_duplicate()
    {
        // Every message must arrive: thinning (which skips messages for a member whose writer falls
        // behind, e.g. on a starved CPU) is off; Overload/ThinningTests test it.
        await using var server = await TestServer.StartAsync("--rate-limit-per-second", "0", "--history-size", "5000", "--thin-after-bytes", "0");
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        var epoch = (await Join(alice, """{"roomid":"r1"}""")).Data.Str("epoch");
        await SendRoomMessages(alice, 1, 10);

        const int Count = 800;
        var sending = Task.Run(async () =>
        {
            for (var i = 11; i <= Count; i++)
            {
                await alice.SendAsync("{\"type\":\"room\",\"data\":{\"roomid\":\"r1\",\"data\":" + i + "}}");
            }
        });

        var resumers = new List<ChatClient>();
        try
        {
            for (var i = 0; i < 8; i++)
            {
                var client = await ChatClient.ConnectAsync(server, $"/r{i}");
                resumers.Add(client);
                await client.SendAsync($$$"""{"type":"join","data":{"roomid":"r1","since":{{{i}}},"epoch":"{{{epoch}}}"}}""");
                await Task.Delay(2);
            }

            await sending;
            for (var i = 0; i < resumers.Count; i++)
            {
                var seqs = await RoomSeqsUntil(resumers[i], Count);
                Assert.Equal(Enumerable.Range(i + 1, Count - i).Select(n => (long)n), seqs);
            }
        }
        finally
        {
            foreach (var client in resumers)
            {
                await client.DisposeAsync();
            }
        }
    }

    private static async Task<Received> Join(ChatClient client, string data)
    {
        await client.SendAsync($$"""{"type":"join","data":{{data}}}""");
        return await client.ExpectAsync(Messages.OfType("joined"));
    }

    private static async Task SendRoomMessages(ChatClient sender, int from, int to)
    {
        for (var i = from; i <= to; i++)
        {
            await sender.SendAsync($$"""{"type":"room","data":{"roomid":"r1","data":{{i}}},"ref":"m{{i}}"}""");
            await sender.ExpectAsync(Messages.WithRef("ack", $"m{i}"));
        }
    }

    private static async Task<List<long>> RoomSeqsUntil(ChatClient client, long last)
    {
        var seqs = new List<long>();
        while (seqs.Count == 0 || seqs[^1] < last)
        {
            seqs.Add((await client.ExpectAsync(Messages.RoomMessage("r1"))).Data.Num("seq"));
        }

        return seqs;
    }

    private static long[] Seqs(Received history)
        => [.. history.Data.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("data").GetProperty("seq").GetInt64())];
}
