using PipeChat.LoadTest;
using PipeChat.LoadTest.Metrics;
using PipeChat.LoadTest.Options;

namespace PipeChat.Server.Tests.LoadTest;

/// <summary>
/// CI smoke for the load tool's <c>--protocol verbatim</c> (how compare.sh drives the uWebSockets
/// peer): the workloads it allows, for about a second each, against an in-process server that sends
/// every message back unchanged (<see cref="VerbatimTestPeer"/>), and the option's parsing. Counts, never speed.
/// </summary>
public sealed class VerbatimProtocolSmokeTests
{
    [Fact]
    public async Task Fanout_against_a_broadcast_server_counts_members_as_joined_once_open_and_loses_nothing()
    {
        await using var peer = await VerbatimTestPeer.StartAsync(echo: false);
        var result = await RunAsync(peer, "fanout", "--members", "20", "--senders", "2", "--window", "8");

        LoadTestSmokeTests.AssertCleanDelivery(result, connections: 20);
        Assert.Equal(result.Counters.Sent * 20, result.Counters.Expected);
        Assert.Contains("protocol=verbatim", result.Settings, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Live_against_a_broadcast_server_read_by_the_polling_receiver_loses_nothing()
    {
        await using var peer = await VerbatimTestPeer.StartAsync(echo: false);
        var result = await RunAsync(peer, "live", "--members", "30", "--senders", "1", "--rate", "50", "--receive", "poll");

        LoadTestSmokeTests.AssertCleanDelivery(result, connections: 30);
        Assert.Equal(0, result.Counters.Presence);
        Assert.Equal(0, result.Counters.Open);
    }

    [Fact]
    public async Task Echo_against_an_echoing_server_measures_round_trips()
    {
        await using var peer = await VerbatimTestPeer.StartAsync(echo: true);
        var result = await RunAsync(peer, "echo", "--connections", "8");

        LoadTestSmokeTests.AssertCleanDelivery(result, connections: 8);
        Assert.Equal(result.Counters.Sent, result.Counters.Expected);
        Assert.True(result.Latency.P50 > 0);
    }

    [Fact]
    public async Task Connect_over_two_processes_holds_the_connections()
    {
        await using var peer = await VerbatimTestPeer.StartAsync(echo: false);
        var result = await RunAsync(peer, "connect", "--connections", "40", "--processes", "2");

        Assert.Equal(40, result.Counters.Established);
        Assert.Equal(0, result.Counters.ConnectFailed);
        Assert.Equal(0, result.Counters.DroppedByServer);
        Assert.Empty(result.Errors);
    }

    [Fact]
    public void Protocol_is_chat_unless_asked()
    {
        Assert.True(OptionsParser.TryParse(["fanout"], out var chat, out var error), error);
        Assert.Equal(ServerProtocol.Chat, chat.Protocol);
        Assert.True(OptionsParser.TryParse(["fanout", "--protocol", "verbatim"], out var verbatim, out error), error);
        Assert.Equal(ServerProtocol.Verbatim, verbatim.Protocol);
        Assert.True(OptionsParser.TryParse(["echo", "--protocol", "chat"], out var explicitChat, out error), error);
        Assert.Equal(ServerProtocol.Chat, explicitChat.Protocol);
    }

    [Fact]
    public void Refuses_an_unknown_protocol()
    {
        Assert.False(OptionsParser.TryParse(["fanout", "--protocol", "broadcast"], out _, out var error));
        Assert.Contains("--protocol must be chat or verbatim", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fanout", "--rooms", "1")]
    [InlineData("live", "--members", "100")]
    [InlineData("echo", "--connections", "64")]
    [InlineData("connect", "--connections", "100")]
    public void Verbatim_runs_the_workloads_a_server_without_rooms_can_serve(string scenario, string option, string value)
        => Assert.True(OptionsParser.TryParse([scenario, option, value, "--protocol", "verbatim"], out _, out var error), error);

    [Theory]
    [InlineData("private", "--connections", "20")]
    [InlineData("churn", "--rooms", "1")]
    [InlineData("soak", "--rooms", "1")]
    [InlineData("api", "--api-key", "k")]
    [InlineData("fanout", "--rooms", "2")]
    [InlineData("live", "--rooms", "3")]
    [InlineData("fanout", "--slow-readers", "5")]
    public void Verbatim_refuses_what_needs_rooms_joins_or_private_messages(string scenario, string option, string value)
    {
        Assert.False(OptionsParser.TryParse([scenario, option, value, "--protocol", "verbatim"], out _, out var error));
        Assert.Contains("--protocol verbatim runs fanout or live with one room", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Hands_the_protocol_to_child_processes()
    {
        Assert.True(OptionsParser.TryParse(["connect", "--protocol", "verbatim", "--processes", "2"], out var options, out var error), error);
        Assert.True(OptionsParser.TryParse([.. OptionsWriter.ToArgs(options)], out var child, out error), error);
        Assert.Equal(ServerProtocol.Verbatim, child.Protocol);
    }

    private static async Task<LoadTestResult> RunAsync(VerbatimTestPeer peer, params string[] args)
    {
        string[] all =
        [
            args[0],
            "--url", peer.Url.ToString(),
            "--protocol", "verbatim",
            "--duration", "1",
            "--drain", "3",
            "--setup-timeout", "20",
            "--no-report",
            "--quiet",
            .. args[1..],
        ];
        Assert.True(OptionsParser.TryParse(all, out var options, out var error), error);
        return await LoadTestRunner.RunAsync(options);
    }
}
