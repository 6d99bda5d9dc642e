using System.Globalization;

namespace PipeChat.Server.Tests.ScaleOut;

/// <summary>Room counters across nodes (docs/scale-out.md): increments on every node, one coalesced value everywhere.</summary>
[Collection(ScaleOutCollection.Name)]
public sealed class CounterScaleOutTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Increments_on_two_nodes_add_up_and_each_member_gets_at_most_one_update_per_interval()
    {
        const int IntervalMs = 400;
        var args = new[] { "--counter-interval-ms", IntervalMs.ToString(CultureInfo.InvariantCulture), "--rate-limit-per-second", "0" };
        var nodes = new[] { await Nodes.StartAsync(redis, args), await Nodes.StartAsync(redis, args) };
        var room = Nodes.Unique("live");
        var a = await ChatClient.ConnectAsync(nodes[0].Port, Nodes.Unique("a"));
        var b = await ChatClient.ConnectAsync(nodes[1].Port, Nodes.Unique("b"));
        try
        {
            await a.JoinAsync(room);
            await b.JoinAsync(room);
            var started = Environment.TickCount64;
            for (var i = 0; i < 30; i++)
            {
                await a.SendAsync($"{{\"type\":\"count\",\"data\":{{\"roomid\":\"{room}\",\"name\":\"likes\"}}}}");
                await b.SendAsync($"{{\"type\":\"count\",\"data\":{{\"roomid\":\"{room}\",\"name\":\"likes\",\"by\":2}}}}");
            }

            foreach (var member in new[] { a, b })
            {
                var updates = new List<long>();
                while (updates.LastOrDefault() != 90)
                {
                    var update = await member.ExpectAsync(m => m.Type == "counter", TimeSpan.FromSeconds(10));
                    updates.Add(update.Data.GetProperty("value").GetInt64());
                }

                var elapsedMs = Environment.TickCount64 - started;
                Assert.True(updates.Count <= (elapsedMs / IntervalMs) + 1, $"{updates.Count} updates in {elapsedMs} ms");
                Assert.Equal(updates.OrderBy(v => v), updates);
            }
        }
        finally
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
            await Nodes.DisposeAllAsync(nodes);
        }
    }
}
