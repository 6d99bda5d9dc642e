using System.Text.Json;

namespace PipeChat.Server.Tests.ScaleOut;

/// <summary>Several PipeChat nodes on one Redis behave as one server (docs/scale-out.md).</summary>
public abstract class ScaleOutTests(IRedisBackend redis)
{
    [Fact]
    public async Task Room_messages_sent_on_three_nodes_reach_members_on_every_node_in_seq_order_without_gaps()
    {
        var nodes = await Nodes.StartManyAsync(redis, 3);
        var room = Nodes.Unique("room");
        var clients = new ChatClient[3];
        try
        {
            for (var i = 0; i < 3; i++)
            {
                clients[i] = await ChatClient.ConnectAsync(nodes[i].Port, Nodes.Unique("u" + i));
                await clients[i].JoinAsync(room);
            }

            const int PerClient = 15;
            await Task.WhenAll(clients.Select(async (c, i) =>
            {
                for (var n = 0; n < PerClient; n++)
                {
                    await c.SendAsync($"{{\"type\":\"room\",\"data\":{{\"roomid\":\"{room}\",\"data\":{{\"n\":{n},\"c\":{i}}}}}}}");
                }
            }));

            var received = await Task.WhenAll(clients.Select(c => c.RoomMessagesAsync(room, 3 * PerClient)));
            foreach (var messages in received)
            {
                Assert.Equal(Enumerable.Range(1, 3 * PerClient).Select(i => (long)i), messages.Select(Seq));
            }

            // Every member saw the same message under each seq, and each sender's messages in its sending order.
            var first = received[0].Select(m => m.GetProperty("data").GetProperty("data").GetRawText()).ToList();
            Assert.All(received, messages => Assert.Equal(first, messages.Select(m => m.GetProperty("data").GetProperty("data").GetRawText())));
            for (var i = 0; i < 3; i++)
            {
                var ns = received[0].Select(m => m.GetProperty("data").GetProperty("data")).Where(d => d.GetProperty("c").GetInt32() == i).Select(d => d.GetProperty("n").GetInt32());
                Assert.Equal(Enumerable.Range(0, PerClient), ns);
            }
        }
        finally
        {
            await DisposeAllAsync(clients, nodes);
        }
    }

    [Fact]
    public async Task Room_ack_carries_the_seq_Redis_gave_and_joined_reports_the_shared_seq_and_epoch()
    {
        var nodes = await Nodes.StartManyAsync(redis, 2);
        var room = Nodes.Unique("room");
        var (a, b) = (await ChatClient.ConnectAsync(nodes[0].Port, Nodes.Unique("a")), await ChatClient.ConnectAsync(nodes[1].Port, Nodes.Unique("b")));
        try
        {
            var joinedA = await a.JoinAsync(room);
            await a.SendAsync($"{{\"type\":\"room\",\"data\":{{\"roomid\":\"{room}\",\"data\":1}},\"ref\":\"m1\"}}");
            var ack = await a.NextAsync("ack");
            Assert.Equal(1, ack.GetProperty("data").GetProperty("seq").GetInt64());

            var joinedB = await b.JoinAsync(room);
            Assert.Equal(1, joinedB.GetProperty("data").GetProperty("seq").GetInt64());
            Assert.Equal(joinedA.GetProperty("data").GetProperty("epoch").GetString(), joinedB.GetProperty("data").GetProperty("epoch").GetString());
        }
        finally
        {
            await DisposeAllAsync([a, b], nodes);
        }
    }

    [Fact]
    public async Task Replies_to_one_connection_keep_request_order_while_its_room_sends_wait_on_Redis()
    {
        var node = await Nodes.StartAsync(redis);
        var room = Nodes.Unique("room");
        var client = await ChatClient.ConnectAsync(node.Port, Nodes.Unique("fast"));
        try
        {
            await client.JoinAsync(room);
            var burst = string.Concat(Enumerable.Range(0, 30).Select(n => $"{{\"type\":\"room\",\"data\":{{\"roomid\":\"{room}\",\"data\":{n}}},\"ref\":{n}}}\n"));
            foreach (var line in burst.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                await client.SendAsync(line);
            }

            await client.SendAsync("{\"type\":\"ping\",\"ref\":\"last\"}");
            var replies = new List<string>();
            while (replies.Count < 31)
            {
                var reply = await client.NextMatchingAsync(m => m.GetProperty("type").GetString() is "ack" or "pong", "ack or pong");
                replies.Add(reply.GetProperty("type").GetString() == "pong" ? "pong" : reply.GetProperty("ref").GetInt32() + ":" + reply.GetProperty("data").GetProperty("seq").GetInt64());
            }

            Assert.Equal([.. Enumerable.Range(0, 30).Select(n => $"{n}:{n + 1}"), "pong"], replies);
        }
        finally
        {
            await DisposeAllAsync([client], [node]);
        }
    }

    [Fact]
    public async Task Notice_reaches_every_connection_of_a_user_on_other_nodes_and_an_unknown_user_is_offline()
    {
        var nodes = await Nodes.StartManyAsync(redis, 3);
        var bob = Nodes.Unique("bob");
        var alice = await ChatClient.ConnectAsync(nodes[0].Port, Nodes.Unique("alice"));
        var bob1 = await ChatClient.ConnectAsync(nodes[1].Port, bob);
        var bob2 = await ChatClient.ConnectAsync(nodes[2].Port, bob);
        try
        {
            // Each node subscribes to bob's channel as his connection arrives; wait until both have.
            await Nodes.EventuallyAsync(async () =>
            {
                var marker = Nodes.Unique("probe");
                await alice.SendAsync($"{{\"type\":\"notice\",\"data\":{{\"id\":\"{bob}\",\"data\":{{\"info\":\"{marker}\"}}}}}}");
                var got1 = await bob1.TryNextAsync("notice", TimeSpan.FromSeconds(1), m => m.GetProperty("data").GetProperty("info").GetString() == marker);
                var got2 = await bob2.TryNextAsync("notice", TimeSpan.FromSeconds(1), m => m.GetProperty("data").GetProperty("info").GetString() == marker);
                return got1 is not null && got2 is not null;
            }, "bob subscribed on both nodes");

            await alice.SendAsync($"{{\"type\":\"notice\",\"data\":{{\"id\":\"{bob}\",\"data\":{{\"info\":\"hi\"}}}},\"ref\":\"n1\"}}");
            foreach (var connection in new[] { bob1, bob2 })
            {
                var notice = await connection.NextAsync("notice", m => m.GetProperty("data").GetProperty("info").GetString() == "hi");
                Assert.Equal(alice.UserId, notice.GetProperty("from").GetString());
            }

            await alice.SendAsync($"{{\"type\":\"notice\",\"data\":{{\"id\":\"{Nodes.Unique("nobody")}\",\"data\":1}},\"ref\":\"n2\"}}");
            // The probes above carry no ref: those sent before any node had subscribed were answered offline.
            var error = await alice.NextAsync("error", m => m.TryGetProperty("ref", out var reference) && reference.GetString() == "n2");
            Assert.Equal("offline", error.GetProperty("data").GetProperty("code").GetString());
            Assert.Equal("n2", error.GetProperty("ref").GetString());
        }
        finally
        {
            await DisposeAllAsync([alice, bob1, bob2], nodes);
        }
    }

    [Fact]
    public async Task Online_counts_connections_on_every_node_and_room_members_merge_across_nodes()
    {
        var nodes = await Nodes.StartManyAsync(redis, 2);
        var carol = Nodes.Unique("carol");
        var room = Nodes.Unique("room");
        var asker = await ChatClient.ConnectAsync(nodes[0].Port, Nodes.Unique("asker"));
        var carol1 = await ChatClient.ConnectAsync(nodes[0].Port, carol);
        var carol2 = await ChatClient.ConnectAsync(nodes[1].Port, carol);
        var dave = await ChatClient.ConnectAsync(nodes[1].Port, Nodes.Unique("dave"));
        try
        {
            await carol1.JoinAsync(room);
            await dave.JoinAsync(room);
            await Nodes.EventuallyAsync(async () =>
            {
                await asker.SendAsync($"{{\"type\":\"query\",\"data\":{{\"id\":\"{carol}\"}}}}");
                var online = (await asker.NextAsync("online")).GetProperty("data");
                return online.GetProperty("online").GetBoolean() && online.GetProperty("connections").GetInt32() == 2;
            }, "carol online with 2 connections");

            // Only members (and moderators) may list a room's members.
            await asker.JoinAsync(room);
            await asker.SendAsync($"{{\"type\":\"query\",\"data\":{{\"roomid\":\"{room}\"}}}}");
            var members = (await asker.NextAsync("members")).GetProperty("data");
            Assert.Equal(3, members.GetProperty("count").GetInt32());
            Assert.Equal(new[] { carol, dave.UserId, asker.UserId }.Order(), members.GetProperty("members").EnumerateArray().Select(e => e.GetString()!).Order());

            await carol2.DisposeAsync();
            await Nodes.EventuallyAsync(async () =>
            {
                await asker.SendAsync($"{{\"type\":\"query\",\"data\":{{\"id\":\"{carol}\"}}}}");
                return (await asker.NextAsync("online")).GetProperty("data").GetProperty("connections").GetInt32() == 1;
            }, "carol down to 1 connection");
        }
        finally
        {
            await DisposeAllAsync([asker, carol1, carol2, dave], nodes);
        }
    }

    [Fact]
    public async Task Broadcast_reaches_connections_on_every_node_once()
    {
        var nodes = await Nodes.StartManyAsync(redis, 3, "--allow-broadcast", "true");
        var clients = new ChatClient[3];
        try
        {
            for (var i = 0; i < 3; i++)
            {
                clients[i] = await ChatClient.ConnectAsync(nodes[i].Port, Nodes.Unique("u" + i));
            }

            var marker = Nodes.Unique("m");
            await clients[0].SendAsync($"{{\"type\":\"broadcast\",\"data\":{{\"m\":\"{marker}\"}}}}");
            foreach (var client in clients)
            {
                var message = await client.NextAsync("broadcast", m => m.GetProperty("data").GetProperty("m").GetString() == marker);
                Assert.Equal(clients[0].UserId, message.GetProperty("from").GetString());
                Assert.Null(await client.TryNextAsync("broadcast", TimeSpan.FromMilliseconds(300), m => m.GetProperty("data").GetProperty("m").GetString() == marker));
            }
        }
        finally
        {
            await DisposeAllAsync(clients, nodes);
        }
    }

    [Fact]
    public async Task A_client_that_dropped_resumes_on_another_node_with_the_missed_messages_in_order_then_live_ones()
    {
        var nodes = await Nodes.StartManyAsync(redis, 2);
        var room = Nodes.Unique("room");
        var user = Nodes.Unique("phone");
        var sender = await ChatClient.ConnectAsync(nodes[1].Port, Nodes.Unique("sender"));
        var phone = await ChatClient.ConnectAsync(nodes[0].Port, user);
        ChatClient? resumed = null;
        try
        {
            var epoch = (await phone.JoinAsync(room)).GetProperty("data").GetProperty("epoch").GetString()!;
            await sender.JoinAsync(room);
            await SendRoomAsync(sender, room, 0, 5);
            var seen = await phone.RoomMessagesAsync(room, 5);
            phone.Abort();

            await SendRoomAsync(sender, room, 5, 7);
            await sender.RoomMessagesAsync(room, 12);

            resumed = await ChatClient.ConnectAsync(nodes[1].Port, user);
            var joined = await resumed.JoinAsync(room, since: Seq(seen[^1]), epoch: epoch);
            Assert.Equal(12, joined.GetProperty("data").GetProperty("seq").GetInt64());
            var missed = await resumed.RoomMessagesAsync(room, 7);
            Assert.Equal(Enumerable.Range(6, 7).Select(i => (long)i), missed.Select(Seq));
            Assert.Equal(Enumerable.Range(5, 7), missed.Select(m => m.GetProperty("data").GetProperty("data").GetInt32()));

            await SendRoomAsync(sender, room, 12, 1);
            Assert.Equal(13, Seq((await resumed.RoomMessagesAsync(room, 1))[0]));
        }
        finally
        {
            await DisposeAllAsync([sender, phone, .. resumed is null ? Array.Empty<ChatClient>() : [resumed]], nodes);
        }
    }

    [Fact]
    public async Task History_pages_come_from_Redis_on_a_node_that_never_saw_the_messages()
    {
        var nodes = await Nodes.StartManyAsync(redis, 2);
        var room = Nodes.Unique("room");
        var writer = await ChatClient.ConnectAsync(nodes[0].Port, Nodes.Unique("w"));
        var reader = await ChatClient.ConnectAsync(nodes[1].Port, Nodes.Unique("r"));
        try
        {
            await writer.JoinAsync(room);
            await SendRoomAsync(writer, room, 0, 10);
            await writer.RoomMessagesAsync(room, 10);
            await reader.JoinAsync(room);
            await reader.SendAsync($"{{\"type\":\"history\",\"data\":{{\"roomid\":\"{room}\",\"before\":9,\"limit\":3}},\"ref\":\"h\"}}");
            var page = (await reader.NextAsync("history")).GetProperty("data");
            Assert.True(page.GetProperty("more").GetBoolean());
            Assert.Equal(new long[] { 6, 7, 8 }, page.GetProperty("messages").EnumerateArray().Select(Seq));
        }
        finally
        {
            await DisposeAllAsync([writer, reader], nodes);
        }
    }

    [Fact]
    public async Task A_restarted_node_keeps_the_room_epoch_and_seq_because_they_live_in_Redis()
    {
        var room = Nodes.Unique("room");
        var first = await Nodes.StartAsync(redis);
        var client = await ChatClient.ConnectAsync(first.Port, Nodes.Unique("x"));
        var epoch = (await client.JoinAsync(room)).GetProperty("data").GetProperty("epoch").GetString();
        await SendRoomAsync(client, room, 0, 3);
        await client.RoomMessagesAsync(room, 3);
        await client.DisposeAsync();
        await first.DisposeAsync();

        var second = await Nodes.StartAsync(redis);
        var again = await ChatClient.ConnectAsync(second.Port, Nodes.Unique("y"));
        try
        {
            var joined = (await again.JoinAsync(room, since: 3, epoch: epoch)).GetProperty("data");
            Assert.Equal(epoch, joined.GetProperty("epoch").GetString());
            Assert.Equal(3, joined.GetProperty("seq").GetInt64());
        }
        finally
        {
            await DisposeAllAsync([again], [second]);
        }
    }

    [Fact]
    public async Task Healthz_is_ok_and_the_redis_gauge_is_1_while_Redis_is_reachable()
    {
        var node = await Nodes.StartAsync(redis);
        try
        {
            Assert.Equal((200, "ok\n"), await Nodes.GetAsync(node.Port, "/healthz"));
            Assert.Equal(1, Diagnostics.MetricsText.Value((await Nodes.GetAsync(node.HttpPort, "/metrics")).Body, "pipechat_redis_connected"));
        }
        finally
        {
            await node.DisposeAsync();
        }
    }

    internal static long Seq(JsonElement roomMessage) => roomMessage.GetProperty("data").GetProperty("seq").GetInt64();

    internal static async Task SendRoomAsync(ChatClient client, string room, int from, int count)
    {
        for (var n = from; n < from + count; n++)
        {
            await client.SendAsync($"{{\"type\":\"room\",\"data\":{{\"roomid\":\"{room}\",\"data\":{n}}}}}");
        }
    }

    internal static async Task DisposeAllAsync(IEnumerable<ChatClient?> clients, IEnumerable<Support.TestServer> nodes)
    {
        foreach (var client in clients)
        {
            if (client is not null)
            {
                await client.DisposeAsync();
            }
        }

        await Nodes.DisposeAllAsync(nodes);
    }
}

/// <summary>The same tests on one redis-server.</summary>
[Collection(ScaleOutCollection.Name)]
public sealed class ScaleOutTestsOnOneRedis(RedisServer redis) : ScaleOutTests(redis), IClassFixture<RedisServer>;

/// <summary>The same tests on a Redis Cluster (three masters, three replicas).</summary>
[Collection(ScaleOutCollection.Name)]
public sealed class ScaleOutTestsOnCluster(RedisCluster cluster) : ScaleOutTests(cluster), IClassFixture<RedisCluster>;
