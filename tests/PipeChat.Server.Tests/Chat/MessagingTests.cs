using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Chat;

/// <summary>Private messages, broadcast, query, ping, refs and acks.</summary>
public sealed class MessagingTests
{
    [Fact]
    public async Task Original_client_notice_reaches_the_target_with_the_payload_untouched()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");

        // Exactly what the original front end sends.
        await alice.SendAsync("""{"type":"notice","data":{"id":"bob","data":{"info":"hello bob"}}}""");

        var notice = await bob.ExpectAsync(Messages.OfType("notice"));
        Assert.Equal("""{"type":"notice","from":"alice","data":{"info":"hello bob"}}""", notice.Raw);
        Assert.Equal("hello bob", notice.Data.Str("info"));
    }

    [Fact]
    public async Task Notice_without_ref_gets_no_ack()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");

        await alice.SendAsync("""{"type":"notice","data":{"id":"bob","data":1}}""");
        await bob.ExpectAsync(Messages.OfType("notice"));

        Assert.Empty(await alice.SyncAsync());
    }

    [Fact]
    public async Task Notice_payload_of_any_json_kind_is_forwarded_byte_for_byte()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");

        await alice.SendAsync("""{"type":"notice","data":{"id":"bob","data":[1, "二", {"a" : null}, true]}}""");

        var notice = await bob.ExpectAsync(Messages.OfType("notice"));
        Assert.Equal("""{"type":"notice","from":"alice","data":[1, "二", {"a" : null}, true]}""", notice.Raw);
    }

    [Fact]
    public async Task Notice_to_a_user_with_two_connections_reaches_both_and_is_acked_with_the_ref()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var bobPhone = await ChatClient.ConnectAsync(server, "/bob");
        await using var bobDesk = await ChatClient.ConnectAsync(server, "/?id=bob");

        await alice.SendAsync("""{"type":"notice","data":{"id":"bob","data":{"info":"both"}},"ref":"n1"}""");

        var ack = await alice.ExpectAsync(Messages.OfType("ack"));
        Assert.Equal("""{"type":"ack","ref":"n1"}""", ack.Raw);
        Assert.Equal("both", (await bobPhone.ExpectAsync(Messages.OfType("notice"))).Data.Str("info"));
        Assert.Equal("both", (await bobDesk.ExpectAsync(Messages.OfType("notice"))).Data.Str("info"));
    }

    [Fact]
    public async Task Notice_to_an_offline_user_gets_error_offline_with_the_ref()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");

        await alice.SendAsync("""{"type":"notice","data":{"id":"nobody","data":{"info":"?"}},"ref":"n-7"}""");

        var error = await alice.ExpectAsync(Messages.OfType("error"));
        Assert.Equal("offline", error.Data.Str("code"));
        Assert.Equal("n-7", ChatClient.Ref(error));
        Assert.Equal("the other side is offline", error.Data.Str("message"));
    }

    [Fact]
    public async Task Notice_to_yourself_reaches_all_your_connections_including_the_sender()
    {
        await using var server = await TestServer.StartAsync();
        await using var one = await ChatClient.ConnectAsync(server, "/alice");
        await using var two = await ChatClient.ConnectAsync(server, "/alice");

        await one.SendAsync("""{"type":"notice","data":{"id":"alice","data":"note to self"}}""");

        Assert.Equal("alice", (await one.ExpectAsync(Messages.OfType("notice"))).Json.Str("from"));
        Assert.Equal("alice", (await two.ExpectAsync(Messages.OfType("notice"))).Json.Str("from"));
    }

    [Fact]
    public async Task Broadcast_reaches_every_connection_including_the_sender()
    {
        await using var server = await TestServer.StartAsync("--allow-broadcast", "true");
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");
        await using var carol = await ChatClient.ConnectAsync(server, "/carol");

        await alice.SendAsync("""{"type":"broadcast","data":{"text":"maintenance"},"ref":7}""");

        Assert.Equal("""{"type":"ack","ref":7}""", (await alice.ExpectAsync(Messages.OfType("ack"))).Raw);
        foreach (var client in new[] { alice, bob, carol })
        {
            var message = await client.ExpectAsync(Messages.OfType("broadcast"));
            Assert.Equal("""{"type":"broadcast","from":"alice","data":{"text":"maintenance"}}""", message.Raw);
        }
    }

    [Fact]
    public async Task Broadcast_when_disabled_is_forbidden()
    {
        await using var server = await TestServer.StartAsync("--allow-broadcast", "false");
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");

        await alice.SendAsync("""{"type":"broadcast","data":"x","ref":"b"}""");

        var error = await alice.ExpectAsync(Messages.OfType("error"));
        Assert.Equal("forbidden", error.Data.Str("code"));
        Assert.Equal("b", ChatClient.Ref(error));
        Assert.DoesNotContain(await bob.SyncAsync(), m => m.Type == "broadcast");
    }

    [Fact]
    public async Task Ping_gets_pong_with_the_same_ref_string_or_number()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");

        await alice.SendAsync("""{"type":"ping"}""");
        Assert.Equal("""{"type":"pong"}""", (await alice.ExpectAsync(Messages.OfType("pong"))).Raw);

        await alice.SendAsync("""{"type":"ping","ref":5}""");
        Assert.Equal("""{"type":"pong","ref":5}""", (await alice.ExpectAsync(Messages.OfType("pong"))).Raw);

        await alice.SendAsync("""{"type":"ping","ref":"hb-1","data":{"ignored":true}}""");
        Assert.Equal("""{"type":"pong","ref":"hb-1"}""", (await alice.ExpectAsync(Messages.OfType("pong"))).Raw);
    }

    [Fact]
    public async Task Query_user_reports_online_and_connection_count()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var bob1 = await ChatClient.ConnectAsync(server, "/bob");
        await using var bob2 = await ChatClient.ConnectAsync(server, "/bob");

        await alice.SendAsync("""{"type":"query","data":{"id":"bob"},"ref":"q1"}""");
        var bob = await alice.ExpectAsync(Messages.WithRef("online", "q1"));
        Assert.Equal("bob", bob.Data.Str("id"));
        Assert.True(bob.Data.GetProperty("online").GetBoolean());
        Assert.Equal(2, bob.Data.Num("connections"));

        await alice.SendAsync("""{"type":"query","data":{"id":"carol"},"ref":"q2"}""");
        var carol = await alice.ExpectAsync(Messages.WithRef("online", "q2"));
        Assert.False(carol.Data.GetProperty("online").GetBoolean());
        Assert.Equal(0, carol.Data.Num("connections"));
    }

    [Fact]
    public async Task Query_room_lists_members_with_count()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");
        await alice.SendAsync("""{"type":"join","data":{"roomid":"r1"},"ref":"j"}""");
        await alice.ExpectAsync(Messages.OfType("joined"));
        await bob.SendAsync("""{"type":"join","data":{"roomid":"r1"},"ref":"j"}""");
        await bob.ExpectAsync(Messages.OfType("joined"));

        await alice.SendAsync("""{"type":"query","data":{"roomid":"r1"},"ref":"q"}""");

        var members = await alice.ExpectAsync(Messages.WithRef("members", "q"));
        Assert.Equal("r1", members.Data.Str("roomid"));
        Assert.Equal(2, members.Data.Num("count"));
        Assert.Equal(["alice", "bob"], members.Data.GetProperty("members").EnumerateArray().Select(e => e.GetString()!).Order());
        Assert.False(members.Data.GetProperty("truncated").GetBoolean());
    }

    [Fact]
    public async Task Query_room_is_bounded_by_query_max_members_and_says_truncated()
    {
        await using var server = await TestServer.StartAsync("--query-max-members", "2");
        var clients = new List<ChatClient>();
        try
        {
            foreach (var id in new[] { "u1", "u2", "u3", "u4" })
            {
                var client = await ChatClient.ConnectAsync(server, "/" + id);
                clients.Add(client);
                await client.SendAsync("""{"type":"join","data":{"roomid":"big"}}""");
                await client.ExpectAsync(Messages.OfType("joined"));
            }

            await clients[0].SendAsync("""{"type":"query","data":{"roomid":"big"}}""");
            var members = await clients[0].ExpectAsync(Messages.OfType("members"));

            Assert.Equal(4, members.Data.Num("count"));
            Assert.Equal(2, members.Data.GetProperty("members").GetArrayLength());
            Assert.True(members.Data.GetProperty("truncated").GetBoolean());
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Query_of_a_room_not_joined_is_refused_with_not_in_room()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");

        await alice.SendAsync("""{"type":"query","data":{"roomid":"nowhere"}}""");

        await alice.ExpectAsync(Messages.Error("not_in_room"));
    }

    [Fact]
    public async Task Query_of_an_unknown_room_has_count_zero_and_no_members()
    {
        // Only members and moderators may list a room's members: a moderator of the room asks.
        const string secret = "a-test-secret-that-is-at-least-32-bytes-long";
        await using var server = await TestServer.StartAsync("--auth-secret", secret);
        var token = PipeChat.Server.Auth.TokenIssuer.Create(secret, "alice", TimeSpan.FromMinutes(5), moderated: ["nowhere"]);
        await using var alice = await ChatClient.ConnectAsync(server, "/?token=" + token);

        await alice.SendAsync("""{"type":"query","data":{"roomid":"nowhere"}}""");

        var members = await alice.ExpectAsync(Messages.OfType("members"));
        Assert.Equal(0, members.Data.Num("count"));
        Assert.Equal(0, members.Data.GetProperty("members").GetArrayLength());
    }

    [Fact]
    public async Task Replies_to_one_connection_come_in_request_order()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");

        for (var i = 0; i < 20; i++)
        {
            await alice.SendAsync($$"""{"type":"ping","ref":{{i}}}""");
        }

        for (var i = 0; i < 20; i++)
        {
            var next = await alice.ExpectAsync(_ => true);
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), ChatClient.Ref(next));
        }
    }
}
