using System.Net.WebSockets;
using PipeChat.Server.Tests.ScaleOut;

namespace PipeChat.Server.Tests.Api;

/// <summary>With --redis, the API called on one node reaches members, users and connections on another.</summary>
[Collection(ScaleOutCollection.Name)]
public sealed class ApiScaleOutTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Api_on_one_node_publishes_notices_broadcasts_queries_and_disconnects_on_another()
    {
        var api = await Nodes.StartAsync(redis, ApiClient.ServerArgs);
        var other = await Nodes.StartAsync(redis, ApiClient.ServerArgs);
        var room = Nodes.Unique("room");
        var bobId = Nodes.Unique("bob");
        var bob = await ChatClient.ConnectAsync(other.Port, bobId);
        var carol = await ChatClient.ConnectAsync(other.Port, Nodes.Unique("carol"));
        try
        {
            await bob.JoinAsync(room);
            await carol.JoinAsync(room);

            // Publish on a node where the room has no member: Redis numbers it, the other node delivers it.
            var published = await ApiClient.PostAsync(api.HttpPort, "/api/publish", $$$"""{"roomid":"{{{room}}}","from":"system","data":{"text":"from the backend"}}""");
            Assert.Equal("""{"seq":1}""", published.Body);
            foreach (var member in new[] { bob, carol })
            {
                var message = (await member.RoomMessagesAsync(room, 1))[0];
                Assert.Equal(1, ScaleOutTests.Seq(message));
                Assert.Equal("system", message.GetProperty("data").GetProperty("from").GetString());
                Assert.Equal("from the backend", message.GetProperty("data").GetProperty("data").GetProperty("text").GetString());
            }

            await bob.SendAsync($$"""{"type":"room","data":{"roomid":"{{room}}","data":"next"},"ref":"m"}""");
            Assert.Equal(2, (await bob.NextAsync("ack")).GetProperty("data").GetProperty("seq").GetInt64());
            Assert.Equal(2, ScaleOutTests.Seq((await carol.RoomMessagesAsync(room, 1))[0]));

            // A private message reaches the user on the other node once its subscription is up.
            await Nodes.EventuallyAsync(async () =>
                (await ApiClient.PostAsync(api.HttpPort, "/api/notice", $$$"""{"id":"{{{bobId}}}","from":"shop","data":{"info":"shipped"}}""")).Body == """{"online":true}""",
                "notice delivered across nodes");
            Assert.Equal("shipped", (await bob.NextAsync("notice")).GetProperty("data").GetProperty("info").GetString());

            Assert.Equal("""{"ok":true}""", (await ApiClient.PostAsync(api.HttpPort, "/api/broadcast", """{"from":"ops","data":"maintenance"}""")).Body);
            Assert.Equal("maintenance", (await carol.NextAsync("broadcast")).GetProperty("data").GetString());

            var members = await ApiClient.PostAsync(api.HttpPort, "/api/members", $$"""{"roomid":"{{room}}"}""");
            Assert.Equal(2, members.Json.GetProperty("count").GetInt32());
            var online = await ApiClient.PostAsync(api.HttpPort, "/api/online", $$"""{"id":"{{bobId}}"}""");
            Assert.True(online.Json.GetProperty("online").GetBoolean());

            var disconnected = await ApiClient.PostAsync(api.HttpPort, "/api/disconnect", $$"""{"id":"{{bobId}}","reason":"kicked"}""");
            Assert.Equal("""{"disconnected":true}""", disconnected.Body);
            await Nodes.EventuallyAsync(() => Task.FromResult(bob.Closed.IsCompleted), "bob closed by the other node");
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, bob.CloseStatus);
            Assert.Equal("kicked", bob.CloseDescription);
            Assert.False(carol.Closed.IsCompleted);
        }
        finally
        {
            await ScaleOutTests.DisposeAllAsync([bob, carol], [api, other]);
        }
    }
}
