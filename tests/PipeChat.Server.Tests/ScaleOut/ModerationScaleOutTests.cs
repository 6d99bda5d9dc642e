using PipeChat.Server.Auth;
using PipeChat.Server.Tests.Api;
using PipeChat.Server.Tests.Chat;
using PipeChat.Server.Tests.Permissions;

namespace PipeChat.Server.Tests.ScaleOut;

/// <summary>With --redis, mutes, bans, read-only rooms and recalls hold on every node and across restarts (docs/scale-out.md).</summary>
[Collection(ScaleOutCollection.Name)]
public sealed class ModerationScaleOutTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private static readonly string[] Args = ["--auth-secret", PermissionTests.Secret, .. ApiClient.ServerArgs];

    private static Task<ChatClient> ConnectAsync(TestServer node, string user, string[]? mod = null)
        => ChatClient.ConnectAsync(node, "/?token=" + TokenIssuer.Create(PermissionTests.Secret, user, TimeSpan.FromMinutes(5), moderated: mod));

    private static Task<Received> RequestAsync(ChatClient client, string type, string data) => PermissionTests.RequestAsync(client, type, data);

    [Fact]
    public async Task Mute_and_read_only_set_on_one_node_hold_on_the_other()
    {
        var nodes = await Nodes.StartManyAsync(redis, 2, Args);
        var room = Nodes.Unique("room");
        var bobId = Nodes.Unique("bob");
        var mod = await ConnectAsync(nodes[0], Nodes.Unique("mia"), [room]);
        var bob = await ConnectAsync(nodes[1], bobId);
        var carol = await ConnectAsync(nodes[1], Nodes.Unique("carol"));
        try
        {
            foreach (var client in new[] { mod, bob, carol })
            {
                await RequestAsync(client, "join", $$"""{"roomid":"{{room}}"}""");
            }

            Assert.Equal("ack", (await RequestAsync(mod, "mute", $$"""{"roomid":"{{room}}","id":"{{bobId}}","seconds":300}""")).Type);
            await Nodes.EventuallyAsync(async () => Messages.ErrorCode(await RequestAsync(bob, "room", $$"""{"roomid":"{{room}}","data":1}""")) == "muted", "bob muted on the other node");
            Assert.Equal("ack", (await RequestAsync(carol, "room", $$"""{"roomid":"{{room}}","data":1}""")).Type);

            Assert.Equal("ack", (await RequestAsync(mod, "readonly", $$"""{"roomid":"{{room}}","on":true}""")).Type);
            await Nodes.EventuallyAsync(async () => Messages.ErrorCode(await RequestAsync(carol, "room", $$"""{"roomid":"{{room}}","data":2}""")) == "readonly", "room read-only on the other node");
            Assert.Equal("ack", (await RequestAsync(mod, "room", $$"""{"roomid":"{{room}}","data":"host"}""")).Type);
        }
        finally
        {
            await mod.DisposeAsync();
            await bob.DisposeAsync();
            await carol.DisposeAsync();
            await Nodes.DisposeAllAsync(nodes);
        }
    }

    [Fact]
    public async Task A_ban_on_one_node_puts_the_user_out_on_the_other_and_its_join_gets_banned()
    {
        var nodes = await Nodes.StartManyAsync(redis, 2, Args);
        var room = Nodes.Unique("room");
        var bobId = Nodes.Unique("bob");
        var mod = await ConnectAsync(nodes[0], Nodes.Unique("mia"), [room]);
        var carol = await ConnectAsync(nodes[0], Nodes.Unique("carol"));
        var bob = await ConnectAsync(nodes[1], bobId);
        try
        {
            foreach (var client in new[] { mod, carol, bob })
            {
                await RequestAsync(client, "join", $$"""{"roomid":"{{room}}"}""");
            }

            Assert.Equal("ack", (await RequestAsync(mod, "ban", $$"""{"roomid":"{{room}}","id":"{{bobId}}","seconds":300}""")).Type);

            var left = await bob.ExpectAsync(m => m.Type == "left" && m.Data.Str("roomid") == room);
            Assert.Equal("banned", left.Data.Str("reason"));
            await carol.ExpectAsync(m => m.Type == "leave" && m.Data.Str("id") == bobId);
            Assert.Equal("banned", Messages.ErrorCode(await RequestAsync(bob, "join", $$"""{"roomid":"{{room}}"}""")));
            await using var bobElsewhere = await ConnectAsync(nodes[0], bobId);
            Assert.Equal("banned", Messages.ErrorCode(await RequestAsync(bobElsewhere, "join", $$"""{"roomid":"{{room}}"}""")));
        }
        finally
        {
            await mod.DisposeAsync();
            await carol.DisposeAsync();
            await bob.DisposeAsync();
            await Nodes.DisposeAllAsync(nodes);
        }
    }

    [Fact]
    public async Task A_recall_on_one_node_reaches_members_on_the_other_and_its_history_and_resume_hold_a_tombstone()
    {
        var nodes = await Nodes.StartManyAsync(redis, 2, Args);
        var room = Nodes.Unique("room");
        var carolId = Nodes.Unique("carol");
        var mod = await ConnectAsync(nodes[0], Nodes.Unique("mia"), [room]);
        var bob = await ConnectAsync(nodes[1], Nodes.Unique("bob"));
        var carol = await ConnectAsync(nodes[1], carolId);
        try
        {
            await RequestAsync(mod, "join", $$"""{"roomid":"{{room}}"}""");
            await RequestAsync(bob, "join", $$"""{"roomid":"{{room}}"}""");
            var epoch = (await RequestAsync(carol, "join", $$"""{"roomid":"{{room}}"}""")).Data.Str("epoch");
            var sent = await RequestAsync(bob, "room", $$"""{"roomid":"{{room}}","data":"secret phone-xyzzy"}""");
            var seq = sent.Data.Num("seq");
            await RequestAsync(bob, "room", $$"""{"roomid":"{{room}}","data":"after"}""");
            await carol.ExpectAsync(m => m.Type == "room" && m.Data.Num("seq") == seq + 1);
            await carol.CloseAsync();

            Assert.Equal("ack", (await RequestAsync(mod, "recall", $$"""{"roomid":"{{room}}","seq":{{seq}}}""")).Type);

            var recall = await bob.ExpectAsync(Messages.OfType("recall"));
            Assert.Equal(seq, recall.Data.Num("seq"));
            var history = await RequestAsync(bob, "history", $$"""{"roomid":"{{room}}"}""");
            Assert.DoesNotContain("phone-xyzzy", history.Raw);
            Assert.Contains("\"recalled\":true", history.Raw);

            await using var carolAgain = await ConnectAsync(nodes[1], carolId);
            await carolAgain.SendAsync($$$"""{"type":"join","data":{"roomid":"{{{room}}}","since":{{{seq - 1}}},"epoch":"{{{epoch}}}"}}""");
            var replayed = await carolAgain.UntilAsync(m => m.GetProperty("type").GetString() == "room" && m.GetProperty("data").GetProperty("seq").GetInt64() == seq + 1, "the replay");
            var tombstone = replayed.Single(m => m.GetProperty("type").GetString() == "room" && m.GetProperty("data").GetProperty("seq").GetInt64() == seq);
            Assert.True(tombstone.GetProperty("data").GetProperty("recalled").GetBoolean());
            Assert.DoesNotContain(replayed, m => m.ToString().Contains("phone-xyzzy", StringComparison.Ordinal));
        }
        finally
        {
            await mod.DisposeAsync();
            await bob.DisposeAsync();
            await carol.DisposeAsync();
            await Nodes.DisposeAllAsync(nodes);
        }
    }

    [Fact]
    public async Task Mutes_bans_and_read_only_survive_every_node_restarting()
    {
        var room = Nodes.Unique("room");
        var quiet = Nodes.Unique("room");
        var bobId = Nodes.Unique("bob");
        var eveId = Nodes.Unique("eve");
        var first = await Nodes.StartAsync(redis, Args);
        try
        {
            Assert.Equal(200, (await ApiClient.PostAsync(first.HttpPort, "/api/mute", $$"""{"roomid":"{{room}}","id":"{{bobId}}","seconds":300}""")).Status);
            Assert.Equal(200, (await ApiClient.PostAsync(first.HttpPort, "/api/ban", $$"""{"roomid":"{{room}}","id":"{{eveId}}","seconds":null}""")).Status);
            Assert.Equal(200, (await ApiClient.PostAsync(first.HttpPort, "/api/readonly", $$"""{"roomid":"{{quiet}}","on":true}""")).Status);
        }
        finally
        {
            await first.DisposeAsync();
        }

        var second = await Nodes.StartAsync(redis, Args);
        try
        {
            await using var bob = await ConnectAsync(second, bobId);
            await using var eve = await ConnectAsync(second, eveId);
            await RequestAsync(bob, "join", $$"""{"roomid":"{{room}}"}""");
            await RequestAsync(bob, "join", $$"""{"roomid":"{{quiet}}"}""");

            var muted = await RequestAsync(bob, "room", $$"""{"roomid":"{{room}}","data":1}""");
            Assert.Equal("muted", Messages.ErrorCode(muted));
            Assert.InRange(muted.Data.Num("seconds"), 1, 300);
            Assert.Equal("readonly", Messages.ErrorCode(await RequestAsync(bob, "room", $$"""{"roomid":"{{quiet}}","data":1}""")));
            Assert.Equal("banned", Messages.ErrorCode(await RequestAsync(eve, "join", $$"""{"roomid":"{{room}}"}""")));

            Assert.Equal(200, (await ApiClient.PostAsync(second.HttpPort, "/api/ban", $$"""{"roomid":"{{room}}","id":"{{eveId}}","seconds":0}""")).Status);
            Assert.Equal("joined", (await RequestAsync(eve, "join", $$"""{"roomid":"{{room}}"}""")).Type);
        }
        finally
        {
            await second.DisposeAsync();
        }
    }
}
