using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.ScaleOut;

/// <summary>Redis stopped and started again under traffic: local traffic goes on, /healthz says degraded, then the nodes recover by themselves.</summary>
[Collection(ScaleOutCollection.Name)]
public sealed class RedisOutageTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Nodes_serve_local_traffic_while_Redis_is_down_report_degraded_and_recover_without_restart()
    {
        var nodes = await Nodes.StartManyAsync(redis, 2);
        var room = Nodes.Unique("room");
        var a1 = await ChatClient.ConnectAsync(nodes[0].Port, Nodes.Unique("a1"));
        var a2 = await ChatClient.ConnectAsync(nodes[0].Port, Nodes.Unique("a2"));
        var b = await ChatClient.ConnectAsync(nodes[1].Port, Nodes.Unique("b"));
        try
        {
            foreach (var client in new[] { a1, a2, b })
            {
                await client.JoinAsync(room);
            }

            await ScaleOutTests.SendRoomAsync(a1, room, 0, 2);
            Assert.Equal(new long[] { 1, 2 }, (await b.RoomMessagesAsync(room, 2)).Select(ScaleOutTests.Seq));
            await a2.RoomMessagesAsync(room, 2);

            redis.Stop();
            await Nodes.EventuallyAsync(async () => (await Nodes.GetAsync(nodes[0].Port, "/healthz")).Body == "degraded: redis unavailable\n", "node degraded");
            Assert.Equal(200, (await Nodes.GetAsync(nodes[0].Port, "/healthz")).Status);
            Assert.Equal(0, Diagnostics.MetricsText.Value((await Nodes.GetAsync(nodes[0].HttpPort, "/metrics")).Body, "pipechat_redis_connected"));

            // Local traffic keeps flowing: room messages (numbered on from the last Redis seq), notices, pings.
            await a1.SendAsync($"{{\"type\":\"room\",\"data\":{{\"roomid\":\"{room}\",\"data\":\"local\"}},\"ref\":\"r\"}}");
            Assert.Equal(3, (await a1.NextAsync("ack")).GetProperty("data").GetProperty("seq").GetInt64());
            var local = (await a2.RoomMessagesAsync(room, 1))[0];
            Assert.Equal(("local", 3L), (local.GetProperty("data").GetProperty("data").GetString(), ScaleOutTests.Seq(local)));
            await a1.SendAsync($"{{\"type\":\"notice\",\"data\":{{\"id\":\"{a2.UserId}\",\"data\":{{\"info\":\"still here\"}}}}}}");
            await a2.NextAsync("notice", m => m.GetProperty("data").GetProperty("info").GetString() == "still here");
            await b.SendAsync("{\"type\":\"ping\",\"ref\":1}");
            await b.NextAsync("pong");

            await redis.StartAsync();
            await Nodes.EventuallyAsync(async () => (await Nodes.GetAsync(nodes[0].Port, "/healthz")).Body == "ok\n", "node 0 recovered", seconds: 20);
            await Nodes.EventuallyAsync(async () => (await Nodes.GetAsync(nodes[1].Port, "/healthz")).Body == "ok\n", "node 1 recovered", seconds: 20);
            Assert.Equal(1, Diagnostics.MetricsText.Value((await Nodes.GetAsync(nodes[0].HttpPort, "/metrics")).Body, "pipechat_redis_connected"));

            // Redis came back empty: a new epoch, and node 0 numbered messages alone, so its members are told to reload.
            await a2.NextAsync("reset", m => m.GetProperty("data").GetProperty("roomid").GetString() == room);

            // Cross-node traffic resumes once the subscriptions are back.
            await Nodes.EventuallyAsync(async () =>
            {
                var marker = Nodes.Unique("after");
                await a1.SendAsync($"{{\"type\":\"room\",\"data\":{{\"roomid\":\"{room}\",\"data\":\"{marker}\"}}}}");
                return await b.TryNextAsync("room", TimeSpan.FromSeconds(1), m => m.GetProperty("data").GetProperty("data").GetString() == marker) is not null;
            }, "room messages cross nodes again");
        }
        finally
        {
            await ScaleOutTests.DisposeAllAsync([a1, a2, b], nodes);
        }
    }

    [Fact]
    public async Task A_node_started_while_Redis_is_down_serves_locally_then_joins_the_cluster_when_Redis_comes_up()
    {
        redis.Stop();
        var lonely = await TestServer.StartAsync("--redis", redis.Endpoint, "--redis-presence-seconds", "2");
        var room = Nodes.Unique("room");
        var a = await ChatClient.ConnectAsync(lonely.Port, Nodes.Unique("a"));
        var a2 = await ChatClient.ConnectAsync(lonely.Port, Nodes.Unique("a2"));
        ChatClient? b = null;
        TestServer? other = null;
        try
        {
            Assert.Equal((200, "degraded: redis unavailable\n"), await Nodes.GetAsync(lonely.Port, "/healthz"));
            await a.JoinAsync(room);
            await a2.JoinAsync(room);
            await ScaleOutTests.SendRoomAsync(a, room, 0, 2);
            Assert.Equal(new long[] { 1, 2 }, (await a2.RoomMessagesAsync(room, 2)).Select(ScaleOutTests.Seq));

            await redis.StartAsync();
            await Nodes.EventuallyAsync(async () => (await Nodes.GetAsync(lonely.Port, "/healthz")).Body == "ok\n", "node joined the cluster", seconds: 20);
            other = await Nodes.StartAsync(redis);
            b = await ChatClient.ConnectAsync(other.Port, Nodes.Unique("b"));
            await b.JoinAsync(room);
            await Nodes.EventuallyAsync(async () =>
            {
                var marker = Nodes.Unique("up");
                await b.SendAsync($"{{\"type\":\"room\",\"data\":{{\"roomid\":\"{room}\",\"data\":\"{marker}\"}}}}");
                return await a2.TryNextAsync("room", TimeSpan.FromSeconds(1), m => m.GetProperty("data").GetProperty("data").ValueKind == System.Text.Json.JsonValueKind.String
                    && m.GetProperty("data").GetProperty("data").GetString() == marker) is not null;
            }, "room messages reach the node that started without Redis");
        }
        finally
        {
            await ScaleOutTests.DisposeAllAsync([a, a2, b], [lonely, .. other is null ? Array.Empty<TestServer>() : [other]]);
        }
    }
}
