using System.Text.Json;

namespace PipeChat.Server.Tests.ScaleOut;

/// <summary>
/// Presence events (join/leave) across nodes: they travel on the room's Redis channel, so members
/// on every node get each one once, in the same order relative to the room's messages; the
/// presence limit applies to the room's connections on every node; a crashed node's members leave
/// with events within the presence window. Each test ends with a marker room message and checks
/// the exact sequence a member saw before it (no duplicate, nothing missing).
/// </summary>
public abstract class PresenceTests(IRedisBackend redis)
{
    [Fact]
    public async Task Join_leave_and_disconnect_reach_members_on_every_node_once_in_order_with_room_messages()
    {
        var nodes = await Nodes.StartManyAsync(redis, 3);
        var room = Nodes.Unique("room");
        var local = await ChatClient.ConnectAsync(nodes[0].Port, Nodes.Unique("local"));
        var remote = await ChatClient.ConnectAsync(nodes[1].Port, Nodes.Unique("remote"));
        var joiner = await ChatClient.ConnectAsync(nodes[0].Port, Nodes.Unique("joiner"));
        var dropper = await ChatClient.ConnectAsync(nodes[2].Port, Nodes.Unique("dropper"));
        try
        {
            await local.JoinAsync(room);
            await remote.JoinAsync(room);
            Assert.Equal($"join {remote.UserId} 2", Describe(await local.NextAsync("join")));

            // The joiner (on the same node as `local`) says something right after joining: every
            // member sees its join event before its message.
            await joiner.JoinAsync(room);
            await joiner.SendAsync($"{{\"type\":\"room\",\"data\":{{\"roomid\":\"{room}\",\"data\":\"hello\"}},\"ref\":\"h\"}}");
            await joiner.NextAsync("ack");
            await dropper.JoinAsync(room);
            await joiner.SendAsync($"{{\"type\":\"leave\",\"data\":{{\"roomid\":\"{room}\"}}}}");
            await joiner.NextAsync("left");
            await Nodes.EventuallyAsync(async () =>
            {
                await local.SendAsync($"{{\"type\":\"query\",\"data\":{{\"roomid\":\"{room}\"}}}}");
                return (await local.NextAsync("members")).GetProperty("data").GetProperty("count").GetInt32() == 3;
            }, "joiner gone from the room");
            dropper.Abort(); // No close handshake: the node notices the dead socket and leaves for it.
            await Nodes.EventuallyAsync(async () =>
            {
                await local.SendAsync($"{{\"type\":\"query\",\"data\":{{\"roomid\":\"{room}\"}}}}");
                return (await local.NextAsync("members")).GetProperty("data").GetProperty("count").GetInt32() == 2;
            }, "dropper gone from the room");
            await remote.SendAsync(RoomJson(room, "\"marker\""));

            string[] expected =
            [
                $"join {joiner.UserId} 3",
                "room \"hello\"",
                $"join {dropper.UserId} 4",
                $"leave {joiner.UserId} 3",
                $"leave {dropper.UserId} 2",
                "room \"marker\"",
            ];
            Assert.Equal(expected, await SeenUntilMarkerAsync(local, room));
            Assert.Equal(expected, await SeenUntilMarkerAsync(remote, room));
        }
        finally
        {
            await ScaleOutTests.DisposeAllAsync([local, remote, joiner, dropper], nodes);
        }
    }

    [Fact]
    public async Task Events_are_per_connection_so_a_user_joining_from_two_nodes_gives_two_join_events_and_its_own_connections_see_each_other()
    {
        var nodes = await Nodes.StartManyAsync(redis, 3);
        var room = Nodes.Unique("room");
        var carol = Nodes.Unique("carol");
        var watcher = await ChatClient.ConnectAsync(nodes[2].Port, Nodes.Unique("watcher"));
        var carol1 = await ChatClient.ConnectAsync(nodes[0].Port, carol);
        var carol2 = await ChatClient.ConnectAsync(nodes[1].Port, carol);
        try
        {
            await watcher.JoinAsync(room);
            await carol1.JoinAsync(room);
            await watcher.NextAsync("join");
            var joined = await carol2.JoinAsync(room);
            await carol2.SendAsync($"{{\"type\":\"leave\",\"data\":{{\"roomid\":\"{room}\"}}}}");
            await carol2.NextAsync("left");
            await watcher.SendAsync(RoomJson(room, "\"marker\""));

            Assert.Equal([$"join {carol} 3", $"leave {carol} 2", "room \"marker\""], await SeenUntilMarkerAsync(watcher, room));

            // carol's first connection is told about her second one (as on a single node); the
            // second one got `joined`, never its own join event.
            Assert.Equal([$"join {carol} 3", $"leave {carol} 2", "room \"marker\""], await SeenUntilMarkerAsync(carol1, room));
            Assert.Equal(room, joined.GetProperty("data").GetProperty("roomid").GetString());
        }
        finally
        {
            await ScaleOutTests.DisposeAllAsync([watcher, carol1, carol2], nodes);
        }
    }

    [Fact]
    public async Task The_presence_limit_counts_the_room_on_every_node()
    {
        var nodes = new Support.TestServer[3];
        for (var i = 0; i < 3; i++)
        {
            nodes[i] = await Nodes.StartAsync(redis, "--presence-limit", "2");
        }

        var room = Nodes.Unique("room");
        var a = await ChatClient.ConnectAsync(nodes[0].Port, Nodes.Unique("a"));
        var b = await ChatClient.ConnectAsync(nodes[1].Port, Nodes.Unique("b"));
        var c = await ChatClient.ConnectAsync(nodes[2].Port, Nodes.Unique("c"));
        try
        {
            await a.JoinAsync(room);
            await b.JoinAsync(room); // 2 connections: within the limit.
            await c.JoinAsync(room); // 3 on three nodes (1 on each): above it, no event anywhere.
            await c.SendAsync($"{{\"type\":\"leave\",\"data\":{{\"roomid\":\"{room}\"}}}}");
            await c.NextAsync("left"); // 3 → 2: the room had 3, no event.
            await b.SendAsync($"{{\"type\":\"leave\",\"data\":{{\"roomid\":\"{room}\"}}}}");
            await b.NextAsync("left"); // 2 → 1: event.
            await a.SendAsync(RoomJson(room, "\"marker\""));

            Assert.Equal([$"join {b.UserId} 2", $"leave {b.UserId} 1", "room \"marker\""], await SeenUntilMarkerAsync(a, room));
        }
        finally
        {
            await ScaleOutTests.DisposeAllAsync([a, b, c], nodes);
        }
    }

    [Fact]
    public async Task A_stopped_node_sends_one_leave_per_connection_to_members_elsewhere()
    {
        var survivor = await Nodes.StartAsync(redis);
        var stopping = await Nodes.StartAsync(redis);
        var room = Nodes.Unique("room");
        var watcher = await ChatClient.ConnectAsync(survivor.Port, Nodes.Unique("watcher"));
        var leaverId = Nodes.Unique("leaver");
        var leaver1 = await ChatClient.ConnectAsync(stopping.Port, leaverId);
        var leaver2 = await ChatClient.ConnectAsync(stopping.Port, leaverId);
        try
        {
            await watcher.JoinAsync(room);
            await leaver1.JoinAsync(room);
            await leaver2.JoinAsync(room);
            await stopping.DisposeAsync();
            await Nodes.EventuallyAsync(async () =>
            {
                await watcher.SendAsync($"{{\"type\":\"query\",\"data\":{{\"roomid\":\"{room}\"}}}}");
                return (await watcher.NextAsync("members")).GetProperty("data").GetProperty("count").GetInt32() == 1;
            }, "the stopped node's members gone");
            await watcher.SendAsync(RoomJson(room, "\"marker\""));

            Assert.Equal(
                [$"join {leaverId} 2", $"join {leaverId} 3", $"leave {leaverId} 2", $"leave {leaverId} 1", "room \"marker\""],
                await SeenUntilMarkerAsync(watcher, room));
        }
        finally
        {
            await ScaleOutTests.DisposeAllAsync([watcher, leaver1, leaver2], [survivor]);
        }
    }

    [Fact]
    public async Task A_killed_nodes_members_leave_with_events_within_the_presence_window()
    {
        var room = Nodes.Unique("room");
        using var doomed = await NodeProcess.StartAsync("--redis", redis.Endpoint, "--redis-presence-seconds", "2");
        var survivor = await Nodes.StartAsync(redis);
        var watcher = await ChatClient.ConnectAsync(survivor.Port, Nodes.Unique("watcher"));
        var ghostId = Nodes.Unique("ghost");
        var ghost1 = await ChatClient.ConnectAsync(doomed.Port, ghostId);
        var ghost2 = await ChatClient.ConnectAsync(doomed.Port, ghostId);
        try
        {
            await watcher.JoinAsync(room);
            await ghost1.JoinAsync(room);
            await ghost2.JoinAsync(room);
            Assert.Equal([$"join {ghostId} 2", $"join {ghostId} 3"], [Describe(await watcher.NextAsync("join")), Describe(await watcher.NextAsync("join"))]);

            doomed.Kill();

            // No close frame, no cleanup: the survivor's heartbeat finds the node silent for
            // --redis-presence-seconds (2 s) and reaps it (the client's wait is 10 s).
            Assert.Equal($"leave {ghostId} 2", Describe(await watcher.NextAsync("leave")));
            Assert.Equal($"leave {ghostId} 1", Describe(await watcher.NextAsync("leave")));
            await watcher.SendAsync($"{{\"type\":\"query\",\"data\":{{\"roomid\":\"{room}\"}}}}");
            Assert.Equal(1, (await watcher.NextAsync("members")).GetProperty("data").GetProperty("count").GetInt32());

            // A newcomer is counted from what is left, and nothing more arrives about the ghost.
            var newcomer = await ChatClient.ConnectAsync(survivor.Port, Nodes.Unique("newcomer"));
            await newcomer.JoinAsync(room);
            await watcher.SendAsync(RoomJson(room, "\"marker\""));
            Assert.Equal([$"join {newcomer.UserId} 2", "room \"marker\""], await SeenUntilMarkerAsync(watcher, room));
            await newcomer.DisposeAsync();
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException("killed node printed:\n" + string.Join('\n', doomed.Output), ex);
        }
        finally
        {
            await ScaleOutTests.DisposeAllAsync([watcher, ghost1, ghost2], [survivor]);
        }
    }

    [Fact]
    public async Task A_user_back_on_another_node_within_the_grace_shows_no_leave_join_pair_and_after_the_grace_leaves()
    {
        var nodes = new[] { await Nodes.StartAsync(redis, "--presence-grace-seconds", "1"), await Nodes.StartAsync(redis, "--presence-grace-seconds", "1") };
        var room = Nodes.Unique("room");
        var mover = Nodes.Unique("mover");
        var watcher = await ChatClient.ConnectAsync(nodes[0].Port, Nodes.Unique("watcher"));
        var first = await ChatClient.ConnectAsync(nodes[0].Port, mover);
        ChatClient? back = null;
        try
        {
            await watcher.JoinAsync(room);
            await first.JoinAsync(room);
            Assert.Equal($"join {mover} 2", Describe(await watcher.NextAsync("join")));

            // The app goes to the background: its socket is cut. The user is out of the room at once (members query shows it)...
            first.Abort();
            await Nodes.EventuallyAsync(async () =>
            {
                await watcher.SendAsync($"{{\"type\":\"query\",\"data\":{{\"roomid\":\"{room}\"}}}}");
                return (await watcher.NextAsync("members")).GetProperty("data").GetProperty("count").GetInt32() == 1;
            }, "the dropped connection out of the room");

            // ...and back in the foreground on another node, resuming: the watcher sees neither a leave nor a join.
            back = await ChatClient.ConnectAsync(nodes[1].Port, mover);
            await back.JoinAsync(room, since: 0);
            await Task.Delay(TimeSpan.FromSeconds(2)); // The grace (1 s) runs out under test: no leave may come.
            await watcher.SendAsync(RoomJson(room, "\"marker\""));
            Assert.Equal(["room \"marker\""], await SeenUntilMarkerAsync(watcher, room));

            // Gone for good: the leave comes once the grace has passed.
            await back.CloseAsync();
            Assert.Equal($"leave {mover} 1", Describe(await watcher.NextAsync("leave")));
        }
        finally
        {
            await ScaleOutTests.DisposeAllAsync([watcher, first, back], nodes);
        }
    }

    private static string RoomJson(string room, string data) => $"{{\"type\":\"room\",\"data\":{{\"roomid\":\"{room}\",\"data\":{data}}}}}";

    /// <summary>"join id count", "leave id count" or "room data".</summary>
    private static string Describe(JsonElement message)
    {
        var type = message.GetProperty("type").GetString();
        var data = message.GetProperty("data");
        return type == "room"
            ? "room " + data.GetProperty("data").GetRawText()
            : $"{type} {data.GetProperty("id").GetString()} {data.GetProperty("count").GetInt32()}";
    }

    /// <summary>The join/leave events and room messages of <paramref name="room"/> the client got, up to the marker message.</summary>
    private static async Task<List<string>> SeenUntilMarkerAsync(ChatClient client, string room)
    {
        var seen = await client.UntilAsync(
            m => m.GetProperty("type").GetString() == "room" && m.GetProperty("data").GetProperty("data").GetRawText() == "\"marker\"",
            "marker");
        return
        [
            .. seen.Where(m => m.GetProperty("type").GetString() is "join" or "leave" or "room"
                    && m.GetProperty("data").GetProperty("roomid").GetString() == room)
                .Select(Describe),
        ];
    }
}

/// <summary>The same tests on one redis-server.</summary>
[Collection(ScaleOutCollection.Name)]
public sealed class PresenceTestsOnOneRedis(RedisServer redis) : PresenceTests(redis), IClassFixture<RedisServer>;

/// <summary>The same tests on a Redis Cluster (three masters, three replicas).</summary>
[Collection(ScaleOutCollection.Name)]
public sealed class PresenceTestsOnCluster(RedisCluster cluster) : PresenceTests(cluster), IClassFixture<RedisCluster>;
