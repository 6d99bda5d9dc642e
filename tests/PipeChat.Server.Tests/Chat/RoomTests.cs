using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Chat;

/// <summary>join, leave, room messages with seq, presence events and their cap.</summary>
public sealed class RoomTests
{
    private static async Task<Received> JoinAsync(ChatClient client, string roomId)
    {
        var reference = client.NewRef();
        await client.SendAsync($$"""{"type":"join","data":{"roomid":"{{roomId}}"},"ref":"{{reference}}"}""");
        return await client.ExpectAsync(m => ChatClient.Ref(m) == reference);
    }

    [Fact]
    public async Task Original_client_join_with_its_own_id_is_accepted_and_the_id_ignored()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");
        await JoinAsync(alice, "r1");

        await bob.SendAsync("""{"type":"join","data":{"roomid":"r1","id":"alice"}}""");

        var joined = await bob.ExpectAsync(Messages.OfType("joined"));
        var epoch = joined.Data.Str("epoch");
        Assert.Equal($$$"""{"type":"joined","data":{"roomid":"r1","count":2,"seq":0,"epoch":"{{{epoch}}}"}}""", joined.Raw);
        var presence = await alice.ExpectAsync(Messages.OfType("join"));
        Assert.Equal("bob", presence.Data.Str("id"));
    }

    [Fact]
    public async Task Joined_carries_the_ref_count_and_last_seq()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");

        var first = await JoinAsync(alice, "r1");
        Assert.Equal("joined", first.Type);
        Assert.Equal(1, first.Data.Num("count"));
        Assert.Equal(0, first.Data.Num("seq"));

        await alice.SendAsync("""{"type":"room","data":{"roomid":"r1","data":"a"}}""");
        await alice.SendAsync("""{"type":"room","data":{"roomid":"r1","data":"b"},"ref":"last"}""");
        await alice.ExpectAsync(Messages.WithRef("ack", "last"));

        var second = await JoinAsync(bob, "r1");
        Assert.Equal(2, second.Data.Num("count"));
        Assert.Equal(2, second.Data.Num("seq"));
    }

    [Fact]
    public async Task Joining_a_room_twice_replies_joined_without_a_second_presence_event()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");
        await JoinAsync(alice, "r1");
        await JoinAsync(bob, "r1");
        await alice.ExpectAsync(Messages.OfType("join"));

        var again = await JoinAsync(bob, "r1");

        Assert.Equal("joined", again.Type);
        Assert.Equal(2, again.Data.Num("count"));
        Assert.DoesNotContain(await alice.SyncAsync(), m => m.Type == "join");
    }

    [Fact]
    public async Task Room_message_reaches_every_member_including_the_sender_with_from_seq_and_ts()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");
        await using var outsider = await ChatClient.ConnectAsync(server, "/carol");
        await JoinAsync(alice, "r1");
        await JoinAsync(bob, "r1");
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        await alice.SendAsync("""{"type":"room","data":{"roomid":"r1","data":{"text":"hello"}},"ref":"m1"}""");

        var ack = await alice.ExpectAsync(Messages.OfType("ack"));
        Assert.Equal("""{"type":"ack","data":{"seq":1},"ref":"m1"}""", ack.Raw);
        foreach (var member in new[] { alice, bob })
        {
            var message = await member.ExpectAsync(Messages.RoomMessage("r1"));
            Assert.Equal("r1", message.Data.Str("roomid"));
            Assert.Equal("alice", message.Data.Str("from"));
            Assert.Equal(1, message.Data.Num("seq"));
            Assert.InRange(message.Data.Num("ts"), before - 1000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1000);
            Assert.Equal("hello", message.Data.GetProperty("data").Str("text"));
        }

        Assert.DoesNotContain(await outsider.SyncAsync(), m => m.Type == "room");
    }

    [Fact]
    public async Task Seq_increases_by_one_per_message_in_the_same_order_for_every_member()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");
        await using var carol = await ChatClient.ConnectAsync(server, "/carol");
        foreach (var c in new[] { alice, bob, carol })
        {
            await JoinAsync(c, "r1");
        }

        const int PerSender = 30;
        var senders = new[] { alice, bob };
        await Task.WhenAll(senders.Select(async s =>
        {
            for (var i = 0; i < PerSender; i++)
            {
                await s.SendAsync("""{"type":"room","data":{"roomid":"r1","data":{"n":""" + i + "}}}");
            }
        }));

        var orders = new List<List<string>>();
        foreach (var member in new[] { alice, bob, carol })
        {
            var order = new List<string>();
            for (var expected = 1; expected <= 2 * PerSender; expected++)
            {
                var message = await member.ExpectAsync(Messages.RoomMessage("r1"));
                Assert.Equal(expected, message.Data.Num("seq"));
                order.Add(message.Data.Str("from") + message.Data.GetProperty("data").Num("n"));
            }

            orders.Add(order);
        }

        Assert.Equal(orders[0], orders[1]);
        Assert.Equal(orders[0], orders[2]);
    }

    [Fact]
    public async Task Ack_seq_matches_the_seq_the_members_receive()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");
        await JoinAsync(alice, "r1");
        await JoinAsync(bob, "r1");

        await bob.SendAsync("""{"type":"room","data":{"roomid":"r1","data":0}}""");
        await alice.SendAsync("""{"type":"room","data":{"roomid":"r1","data":"mine"},"ref":42}""");

        var ack = await alice.ExpectAsync(Messages.OfType("ack"));
        Assert.Equal("42", ChatClient.Ref(ack));
        var mine = await bob.ExpectAsync(m => m.Type == "room" && m.Data.GetProperty("data").ToString() == "mine");
        Assert.Equal(mine.Data.Num("seq"), ack.Data.Num("seq"));
    }

    [Fact]
    public async Task Room_message_to_a_room_not_joined_is_not_in_room()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");
        await JoinAsync(alice, "r1");

        await bob.SendAsync("""{"type":"room","data":{"roomid":"r1","data":"sneaky"},"ref":"x"}""");

        var error = await bob.ExpectAsync(Messages.OfType("error"));
        Assert.Equal("not_in_room", error.Data.Str("code"));
        Assert.Equal("x", ChatClient.Ref(error));
        Assert.DoesNotContain(await alice.SyncAsync(), m => m.Type == "room");
    }

    [Fact]
    public async Task Room_message_from_outside_is_delivered_when_allowed_by_config()
    {
        await using var server = await TestServer.StartAsync("--allow-send-without-join", "true");
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");
        await JoinAsync(alice, "r1");

        await bob.SendAsync("""{"type":"room","data":{"roomid":"r1","data":"from outside"},"ref":"x"}""");

        Assert.Equal(1, (await bob.ExpectAsync(Messages.OfType("ack"))).Data.Num("seq"));
        Assert.Equal("bob", (await alice.ExpectAsync(Messages.RoomMessage("r1"))).Data.Str("from"));
    }

    [Fact]
    public async Task Leave_replies_left_and_tells_the_others_then_room_messages_are_not_in_room()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");
        await JoinAsync(alice, "r1");
        await JoinAsync(bob, "r1");

        await bob.SendAsync("""{"type":"leave","data":{"roomid":"r1","id":"bob"},"ref":"l"}""");

        var left = await bob.ExpectAsync(Messages.OfType("left"));
        Assert.Equal("""{"type":"left","data":{"roomid":"r1","count":1},"ref":"l"}""", left.Raw);
        var presence = await alice.ExpectAsync(Messages.OfType("leave"));
        Assert.Equal("""{"type":"leave","data":{"roomid":"r1","id":"bob","count":1}}""", presence.Raw);

        await bob.SendAsync("""{"type":"room","data":{"roomid":"r1","data":1}}""");
        Assert.Equal("not_in_room", Messages.ErrorCode(await bob.ExpectAsync(Messages.OfType("error"))));
    }

    [Fact]
    public async Task Leave_of_a_room_not_joined_is_not_in_room()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");

        await alice.SendAsync("""{"type":"leave","data":{"roomid":"r9"},"ref":"l"}""");

        var error = await alice.ExpectAsync(Messages.OfType("error"));
        Assert.Equal("not_in_room", error.Data.Str("code"));
        Assert.Equal("l", ChatClient.Ref(error));
    }

    [Fact]
    public async Task Room_keeps_its_seq_and_epoch_after_the_last_member_leaves()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        var first = await JoinAsync(alice, "r1");
        await alice.SendAsync("""{"type":"room","data":{"roomid":"r1","data":1},"ref":"m"}""");
        await alice.ExpectAsync(Messages.OfType("ack"));
        await alice.SendAsync("""{"type":"leave","data":{"roomid":"r1"}}""");
        await alice.ExpectAsync(Messages.OfType("left"));

        var joined = await JoinAsync(alice, "r1");

        Assert.Equal(1, joined.Data.Num("count"));
        Assert.Equal(1, joined.Data.Num("seq"));
        Assert.Equal(first.Data.Str("epoch"), joined.Data.Str("epoch"));
    }

    [Fact]
    public async Task Joining_more_rooms_than_allowed_is_too_many_rooms()
    {
        await using var server = await TestServer.StartAsync("--max-rooms-per-connection", "2");
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await JoinAsync(alice, "a");
        await JoinAsync(alice, "b");

        var third = await JoinAsync(alice, "c");

        Assert.Equal("error", third.Type);
        Assert.Equal("too_many_rooms", third.Data.Str("code"));
        Assert.Equal("joined", (await JoinAsync(alice, "a")).Type);
    }

    [Fact]
    public async Task Joining_a_full_room_is_room_full()
    {
        await using var server = await TestServer.StartAsync("--max-room-members", "1");
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");
        await JoinAsync(alice, "r1");

        var refused = await JoinAsync(bob, "r1");

        Assert.Equal("room_full", Messages.ErrorCode(refused));
    }

    [Fact]
    public async Task Presence_join_and_leave_events_go_to_the_other_members()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");
        var carol = await ChatClient.ConnectAsync(server, "/carol");
        await JoinAsync(alice, "r1");
        await JoinAsync(bob, "r1");
        Assert.Equal("""{"type":"join","data":{"roomid":"r1","id":"bob","count":2}}""", (await alice.ExpectAsync(Messages.OfType("join"))).Raw);

        await JoinAsync(carol, "r1");
        foreach (var other in new[] { alice, bob })
        {
            var join = await other.ExpectAsync(Messages.OfType("join"));
            Assert.Equal("carol", join.Data.Str("id"));
            Assert.Equal(3, join.Data.Num("count"));
        }

        Assert.DoesNotContain(await carol.SyncAsync(), m => m.Type is "join" or "leave");

        // A closing connection leaves its rooms: the others get leave events.
        await carol.CloseAsync();
        await carol.DisposeAsync();
        foreach (var other in new[] { alice, bob })
        {
            var leave = await other.ExpectAsync(Messages.OfType("leave"));
            Assert.Equal("""{"type":"leave","data":{"roomid":"r1","id":"carol","count":2}}""", leave.Raw);
        }
    }

    [Fact]
    public async Task Above_the_presence_limit_no_per_member_events_are_sent()
    {
        await using var server = await TestServer.StartAsync("--presence-limit", "3");
        var clients = new List<ChatClient>();
        try
        {
            for (var i = 1; i <= 4; i++)
            {
                clients.Add(await ChatClient.ConnectAsync(server, $"/u{i}"));
            }

            await JoinAsync(clients[0], "r1");
            await JoinAsync(clients[1], "r1");
            await JoinAsync(clients[2], "r1");
            Assert.Equal(3, (await clients[0].ExpectAsync(m => m.Type == "join" && m.Data.Str("id") == "u3")).Data.Num("count"));
            Assert.Equal(3, (await clients[1].ExpectAsync(m => m.Type == "join" && m.Data.Str("id") == "u3")).Data.Num("count"));
            foreach (var member in clients)
            {
                await member.SyncAsync();
            }

            // The fourth member takes the room above the limit: nobody hears of it.
            Assert.Equal(4, (await JoinAsync(clients[3], "r1")).Data.Num("count"));
            foreach (var member in clients.Take(3))
            {
                Assert.DoesNotContain(await member.SyncAsync(), m => m.Type is "join" or "leave");
            }

            // Leaving a room of 4 (above the limit): still no events.
            await clients[3].SendAsync("""{"type":"leave","data":{"roomid":"r1"}}""");
            Assert.Equal(3, (await clients[3].ExpectAsync(Messages.OfType("left"))).Data.Num("count"));
            foreach (var member in clients.Take(3))
            {
                Assert.DoesNotContain(await member.SyncAsync(), m => m.Type is "join" or "leave");
            }

            // Back at the limit: events again.
            await clients[2].SendAsync("""{"type":"leave","data":{"roomid":"r1"}}""");
            await clients[2].ExpectAsync(Messages.OfType("left"));
            foreach (var member in clients.Take(2))
            {
                var leave = await member.ExpectAsync(Messages.OfType("leave"));
                Assert.Equal("u3", leave.Data.Str("id"));
                Assert.Equal(2, leave.Data.Num("count"));
            }

            await clients[0].SendAsync("""{"type":"query","data":{"roomid":"r1"}}""");
            Assert.Equal(2, (await clients[0].ExpectAsync(Messages.OfType("members"))).Data.Num("count"));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }
}
