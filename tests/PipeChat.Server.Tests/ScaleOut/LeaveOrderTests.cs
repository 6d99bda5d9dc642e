using PipeChat.Server.Tests.Support;
using StackExchange.Redis;

namespace PipeChat.Server.Tests.ScaleOut;

/// <summary>
/// A <c>left</c> reply is ordered after the presence update it depends on: a client that got
/// <c>left</c> and asks anything of any node sees itself gone. (Before, the reply went out as soon
/// as the presence script was issued, and only a thread-pool hop usually kept the script ahead.)
/// </summary>
[Collection(ScaleOutCollection.Name)]
public sealed class LeaveOrderTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Left_is_answered_only_once_Redis_has_applied_the_leave()
    {
        // The default presence window: a one-second write pause must not get the node reaped.
        var node = await TestServer.StartAsync(["--redis", redis.Endpoint]);
        await Nodes.EventuallyAsync(async () => (await Nodes.GetAsync(node.Port, "/healthz")).Body == "ok\n", "node ready");
        using var admin = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint + ",allowAdmin=true");
        var db = admin.GetDatabase();
        var room = Nodes.Unique("room");
        var nodesInRoom = (RedisKey)("pipechat:room:{" + room + "}:nodes");
        var client = await ChatClient.ConnectAsync(node.Port, Nodes.Unique("leaver"));
        try
        {
            await client.JoinAsync(room);
            await Nodes.EventuallyAsync(async () => await db.HashLengthAsync(nodesInRoom) == 1, "the join counted in Redis");

            // Redis holds back every write (the leave's presence script too) for a second; reads go on.
            await db.ExecuteAsync("CLIENT", "PAUSE", "1000", "WRITE");
            await client.SendAsync($"{{\"type\":\"leave\",\"data\":{{\"roomid\":\"{room}\"}}}}");
            await client.NextAsync("left");

            Assert.Equal(0, await db.HashLengthAsync(nodesInRoom));
        }
        finally
        {
            await db.ExecuteAsync("CLIENT", "UNPAUSE");
            await client.DisposeAsync();
            await node.DisposeAsync();
        }
    }
}
