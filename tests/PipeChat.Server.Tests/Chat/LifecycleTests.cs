using Microsoft.Extensions.DependencyInjection;
using System.Net.WebSockets;
using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Chat;

/// <summary>Slow consumers and graceful shutdown.</summary>
public sealed class LifecycleTests
{
    [Fact]
    public async Task Client_that_stops_reading_is_closed_while_the_others_receive_every_message_in_order()
    {
        // 192 KiB: 24 messages of slack for alice and bob, whose writers may lag on a loaded machine.
        // Thinning off: the slow client is closed at the limit (with it on, Overload/StalledMemberTests).
        await using var server = await TestServer.StartAsync("--max-queued-bytes", "196608", "--close-timeout-seconds", "1", "--rate-limit-per-second", "0", "--thin-after-bytes", "0");
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");
        await alice.SendAsync("""{"type":"join","data":{"roomid":"r1"}}""");
        await alice.ExpectAsync(Messages.OfType("joined"));
        await bob.SendAsync("""{"type":"join","data":{"roomid":"r1"}}""");
        await bob.ExpectAsync(Messages.OfType("joined"));

        using var slow = await RawWebSocketClient.OpenAsync(server.Port, receiveBufferSize: 4096);
        Assert.Equal(101, RawWebSocketClient.StatusOf(await slow.UpgradeAsync("/slow")));
        await slow.SendTextMessageAsync("""{"type":"join","data":{"roomid":"r1"}}""");
        await alice.ExpectAsync(m => m.Type == "join" && m.Data.Str("id") == "slow");
        await bob.ExpectAsync(m => m.Type == "join" && m.Data.Str("id") == "slow");

        // From here on the slow client reads nothing. 400 messages of 8 KiB (3.2 MB) are far
        // more than its socket buffers and its 192 KiB limit can hold.
        const int Count = 400;
        var payload = new string('p', 8 * 1024);
        for (var i = 1; i <= Count; i++)
        {
            // Paced by the ack, so the sender's and bob's own queues stay short: only the slow one fills up.
            await alice.SendAsync("{\"type\":\"room\",\"data\":{\"roomid\":\"r1\",\"data\":{\"n\":" + i + ",\"p\":\"" + payload + "\"}},\"ref\":" + i + "}");
            await alice.ExpectAsync(m => m.Type == "ack" && ChatClient.Ref(m) == i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        foreach (var member in new[] { alice, bob })
        {
            for (var seq = 1; seq <= Count; seq++)
            {
                var message = await member.ExpectAsync(Messages.RoomMessage("r1"));
                Assert.Equal(seq, message.Data.Num("seq"));
                Assert.Equal(seq, message.Data.GetProperty("data").Num("n"));
            }
        }

        // The slow client was dropped: reading now finds fewer messages than were sent, then a
        // close 1008 (if the server got to write it before the close timeout) or the end of the stream.
        var (textFrames, closeCode) = await slow.ReadToEndAsync(TimeSpan.FromSeconds(10));
        Assert.True(textFrames < Count + 2, $"the slow client got {textFrames} text frames: it was never dropped");
        Assert.True(closeCode is null or 1008, $"close code {closeCode}");

        using var http = new HttpClient { Timeout = ChatClient.DefaultTimeout };
        var metrics = await http.GetStringAsync(server.HttpUri("/metrics"));
        Assert.Equal(1, Diagnostics.MetricsText.Value(metrics, "pipechat_slow_consumers_dropped_total"));
    }

    [Fact]
    public async Task Graceful_shutdown_closes_every_client_with_1001()
    {
        var server = await TestServer.StartAsync("--close-timeout-seconds", "2", "--shutdown-timeout-seconds", "2");
        var clients = new List<ChatClient>();
        try
        {
            foreach (var id in new[] { "alice", "bob", "carol", "alice" })
            {
                var client = await ChatClient.ConnectAsync(server, "/" + id);
                clients.Add(client);
            }

            await clients[0].SendAsync("""{"type":"join","data":{"roomid":"r1"}}""");
            await clients[0].ExpectAsync(Messages.OfType("joined"));

            var stopping = server.DisposeAsync().AsTask();

            foreach (var client in clients)
            {
                Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await client.Closed.WaitAsync(ChatClient.DefaultTimeout));
            }

            await stopping.WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Server_answers_a_client_close_with_the_same_code()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");

        await alice.CloseAsync();

        Assert.Equal(WebSocketCloseStatus.NormalClosure, await alice.Closed);
    }

    [Fact]
    public async Task Shutdown_finishes_even_when_a_client_never_answers_the_close()
    {
        var server = await TestServer.StartAsync("--close-timeout-seconds", "1", "--shutdown-timeout-seconds", "1");
        using var silent = await RawWebSocketClient.OpenAsync(server.Port);
        Assert.Equal(101, RawWebSocketClient.StatusOf(await silent.UpgradeAsync("/silent")));
        await using var polite = await ChatClient.ConnectAsync(server, "/polite");

        await server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await polite.Closed.WaitAsync(ChatClient.DefaultTimeout));
        var (_, closeCode) = await silent.ReadToEndAsync(ChatClient.DefaultTimeout);
        Assert.Equal(1001, closeCode);
    }

    [Fact]
    public async Task Peer_that_never_answers_pings_is_dropped()
    {
        await using var server = await TestServer.StartAsync("--ping-interval-seconds", "0.5", "--handshake-timeout-seconds", "1");
        using var silent = await RawWebSocketClient.OpenAsync(server.Port);
        Assert.Equal(101, RawWebSocketClient.StatusOf(await silent.UpgradeAsync("/silent")));

        // Reading only drains what the server sends (welcome, pings); it never writes a pong.
        var (_, closeCode) = await silent.ReadToEndAsync(TimeSpan.FromSeconds(10));

        Assert.Null(closeCode);
    }

    [Fact]
    public async Task Idle_client_that_answers_pings_stays_connected()
    {
        await using var server = await TestServer.StartAsync("--ping-interval-seconds", "0.5", "--handshake-timeout-seconds", "1");
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");

        // Several ping intervals of silence from the application; the client's WebSocket answers pings.
        await Task.Delay(TimeSpan.FromSeconds(2.5));

        await alice.SendAsync("""{"type":"ping","ref":"still"}""");
        await alice.ExpectAsync(Messages.WithRef("pong", "still"));
    }

    [Fact]
    public async Task A_heartbeat_that_runs_late_pings_before_it_drops_anyone()
    {
        await using var server = await TestServer.StartAsync("--ping-interval-seconds", "10");
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        var session = Assert.Single(server.Services.GetRequiredService<PipeChat.Server.Connections.SessionRegistry>().Snapshot());

        // As if the heartbeat had not run for 30 s (three ping intervals): a ping, not a drop.
        session.OnHeartbeat(Environment.TickCount64 + 30_000);

        await alice.SendAsync("""{"type":"ping","ref":"after"}""");
        await alice.ExpectAsync(Messages.WithRef("pong", "after"));
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, alice.State);
    }

    [Fact]
    public async Task Connection_that_never_completes_the_handshake_is_dropped()
    {
        await using var server = await TestServer.StartAsync("--handshake-timeout-seconds", "0.5");
        using var silent = await RawWebSocketClient.OpenAsync(server.Port);

        var (textFrames, closeCode) = await silent.ReadToEndAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(0, textFrames);
        Assert.Null(closeCode);
    }
}
