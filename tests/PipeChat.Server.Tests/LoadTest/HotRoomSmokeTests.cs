using PipeChat.LoadTest.Scenarios.HotRoom;
using PipeChat.Server.Tests.Api;
using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.LoadTest;

/// <summary>CI smoke for the load tool's hot-room scenario (docs/performance.md): counts, never speed.</summary>
public sealed class HotRoomSmokeTests
{
    [Fact]
    public async Task A_small_hot_room_with_a_cap_loses_no_high_message_and_closes_no_member()
    {
        await using var server = await TestServer.StartAsync([.. ApiClient.ServerArgs, "--rate-limit-per-second", "0", "--presence-limit", "0", "--room-max-rate", "10"]);
        var args = new[]
        {
            "--url", server.WebSocketUri("/").ToString(), "--api", server.HttpUri("/").ToString(), "--api-key", ApiClient.Key,
            "--members", "40", "--low-senders", "10", "--normal-senders", "4", "--throttled", "5", "--sender-rate", "2",
            "--host-rate", "4", "--duration", "3", "--warmup", "1",
        };
        Assert.True(HotRoomOptions.TryParse(args, out var options, out var error), error);
        var output = new StringWriter();

        var stats = await HotRoomRun.RunAsync(options, output);

        Assert.Contains("| run | deliveries/s |", output.ToString(), StringComparison.Ordinal);
        Assert.True(stats.SentCount(2) > 0, output.ToString());
        Assert.Equal(0, stats.ClosedCount);

        // Every high message reached every member (the cap never drops high; nothing here falls behind far enough to skip it).
        Assert.Equal(stats.SentCount(2) * 40, stats.ReceivedCount(2, 0) + stats.ReceivedCount(2, 1));

        // 10 low senders at 2/s against a cap of 10/s: low was dropped.
        Assert.True(stats.ReceivedCount(0, 0) + stats.ReceivedCount(0, 1) < stats.SentCount(0) * 40, output.ToString());
    }
}
