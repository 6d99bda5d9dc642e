using System.Text.Json;
using PipeChat.Server.Tests.Content;

namespace PipeChat.Server.Tests.ScaleOut;

/// <summary>The publish hook and word list with --redis: they run on the node that received the message, before Redis numbers it.</summary>
[Collection(ScaleOutCollection.Name)]
public sealed class PublishHookScaleOutTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Two_nodes_each_ask_the_hook_and_members_everywhere_get_replaced_and_ordered_messages()
    {
        await using var hook = await HookServer.StartAsync(r =>
        {
            var t = r.GetProperty("data").GetProperty("t").GetString()!;
            return Task.FromResult(t.StartsWith("bad", StringComparison.Ordinal)
                ? (200, """{"action":"replace","data":{"t":"***"}}""")
                : (200, """{"action":"allow"}"""));
        });
        var room = Nodes.Unique("room");
        await using var a = await Nodes.StartAsync(redis, "--publish-hook", hook.Url);
        await using var b = await Nodes.StartAsync(redis, "--publish-hook", hook.Url);
        await using var alice = await ChatClient.ConnectAsync(a.Port, Nodes.Unique("alice"));
        await using var bob = await ChatClient.ConnectAsync(b.Port, Nodes.Unique("bob"));
        await alice.JoinAsync(room);
        await bob.JoinAsync(room);

        const int Count = 10;
        for (var i = 0; i < Count; i++)
        {
            var t = i % 3 == 0 ? "bad" + i : "ok" + i;
            await alice.SendAsync($"{{\"type\":\"room\",\"data\":{{\"roomid\":\"{room}\",\"data\":{{\"t\":\"{t}\"}}}}}}");
        }

        var expected = Enumerable.Range(0, Count).Select(i => i % 3 == 0 ? "***" : "ok" + i).ToArray();
        foreach (var member in new[] { alice, bob })
        {
            var messages = await member.RoomMessagesAsync(room, Count);
            Assert.Equal(expected, messages.Select(m => m.GetProperty("data").GetProperty("data").GetProperty("t").GetString()));
            Assert.Equal(Enumerable.Range(1, Count).Select(i => (long)i), messages.Select(m => m.GetProperty("data").GetProperty("seq").GetInt64()));
        }

        // Each message was checked once, on the node that received it.
        Assert.Equal(Count, hook.Requests.Count);
    }
}
