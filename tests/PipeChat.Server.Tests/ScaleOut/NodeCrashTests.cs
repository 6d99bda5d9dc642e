namespace PipeChat.Server.Tests.ScaleOut;

/// <summary>A node killed with SIGKILL: its clients move to another node and lose nothing; its users leave presence.</summary>
[Collection(ScaleOutCollection.Name)]
public sealed class NodeCrashTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Clients_of_a_killed_node_resume_on_another_node_with_nothing_lost_and_its_users_go_offline()
    {
        var room = Nodes.Unique("room");
        using var doomed = await NodeProcess.StartAsync("--redis", redis.Endpoint, "--redis-presence-seconds", "2");
        var survivor = await Nodes.StartAsync(redis);
        var phoneId = Nodes.Unique("phone");
        var ghostId = Nodes.Unique("ghost");
        var phone = await ChatClient.ConnectAsync(doomed.Port, phoneId);
        var ghost = await ChatClient.ConnectAsync(doomed.Port, ghostId);
        var sender = await ChatClient.ConnectAsync(survivor.Port, Nodes.Unique("sender"));
        ChatClient? resumed = null;
        try
        {
            var epoch = (await phone.JoinAsync(room)).GetProperty("data").GetProperty("epoch").GetString();
            await sender.JoinAsync(room);
            await ScaleOutTests.SendRoomAsync(sender, room, 0, 3);
            var seen = await phone.RoomMessagesAsync(room, 3);
            await phone.SendAsync($"{{\"type\":\"room\",\"data\":{{\"roomid\":\"{room}\",\"data\":3}},\"ref\":\"last\"}}");
            Assert.Equal(4, (await phone.NextAsync("ack")).GetProperty("data").GetProperty("seq").GetInt64());
            seen.AddRange(await phone.RoomMessagesAsync(room, 1));
            Assert.Equal(new long[] { 1, 2, 3, 4 }, seen.Select(ScaleOutTests.Seq));
            await Nodes.EventuallyAsync(async () =>
            {
                await sender.SendAsync($"{{\"type\":\"query\",\"data\":{{\"id\":\"{ghostId}\"}}}}");
                return (await sender.NextAsync("online")).GetProperty("data").GetProperty("online").GetBoolean();
            }, "ghost online");

            doomed.Kill();
            await ScaleOutTests.SendRoomAsync(sender, room, 4, 5);

            resumed = await ChatClient.ConnectAsync(survivor.Port, phoneId);
            await resumed.JoinAsync(room, since: 4, epoch: epoch);
            var missed = await resumed.RoomMessagesAsync(room, 5);
            Assert.Equal(new long[] { 5, 6, 7, 8, 9 }, missed.Select(ScaleOutTests.Seq));
            Assert.Equal(Enumerable.Range(4, 5), missed.Select(m => m.GetProperty("data").GetProperty("data").GetInt32()));

            // The killed node's heartbeat stops: its users leave presence within --redis-presence-seconds.
            await Nodes.EventuallyAsync(async () =>
            {
                await sender.SendAsync($"{{\"type\":\"query\",\"data\":{{\"id\":\"{ghostId}\"}}}}");
                return !(await sender.NextAsync("online")).GetProperty("data").GetProperty("online").GetBoolean();
            }, "ghost offline after the crash");
            await sender.SendAsync($"{{\"type\":\"query\",\"data\":{{\"roomid\":\"{room}\"}}}}");
            var members = (await sender.NextAsync("members")).GetProperty("data");
            Assert.Equal(new[] { phoneId, sender.UserId }.Order(), members.GetProperty("members").EnumerateArray().Select(e => e.GetString()!).Order());
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException("killed node printed:\n" + string.Join('\n', doomed.Output), ex);
        }
        finally
        {
            await ScaleOutTests.DisposeAllAsync([phone, ghost, sender, resumed], [survivor]);
        }
    }
}
