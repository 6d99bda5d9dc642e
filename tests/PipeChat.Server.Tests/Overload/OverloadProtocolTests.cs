using System.Globalization;
using System.Text;
using System.Text.Json;
using PipeChat.Server.Tests.Api;
using PipeChat.Server.Tests.Chat;
using PipeChat.Server.Tests.Diagnostics;
using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Overload;

/// <summary>Priorities, room ingress caps and room counters over real connections (docs/protocol.md, live rooms under overload).</summary>
public sealed class OverloadProtocolTests
{
    [Fact]
    public async Task High_priority_is_forbidden_to_members_until_the_api_names_them_host_and_the_api_may_always_use_it()
    {
        await using var server = await TestServer.StartAsync([.. ApiClient.ServerArgs]);
        await using var host = await ChatClient.ConnectAsync(server, "/host");
        await using var viewer = await ChatClient.ConnectAsync(server, "/viewer");
        await host.JoinAsync("live");
        await viewer.JoinAsync("live");

        await host.SendAsync("""{"type":"room","data":{"roomid":"live","priority":"high","data":"gift"},"ref":1}""");
        Assert.Equal("forbidden", Messages.ErrorCode(await host.ExpectAsync(Messages.OfType("error"))));

        await host.SendAsync("""{"type":"room","data":{"roomid":"live","priority":"urgent","data":"x"},"ref":2}""");
        Assert.Equal("bad_request", Messages.ErrorCode(await host.ExpectAsync(Messages.OfType("error"))));

        var granted = await ApiClient.PostAsync(server.HttpPort, "/api/room-host", """{"roomid":"live","id":"host"}""");
        Assert.Equal(200, granted.Status);
        await host.SendAsync("""{"type":"room","data":{"roomid":"live","priority":"high","data":"gift"},"ref":3}""");
        await host.ExpectAsync(m => m.Type == "ack" && ChatClient.Ref(m) == "3");
        var gift = await viewer.ExpectAsync(Messages.RoomMessage("live"));
        Assert.Equal("high", gift.Data.Str("priority"));
        Assert.Equal("gift", gift.Data.Str("data"));

        await host.SendAsync("""{"type":"room","data":{"roomid":"live","priority":"low","data":"like"}}""");
        Assert.Equal("low", (await viewer.ExpectAsync(Messages.RoomMessage("live"))).Data.Str("priority"));
        await host.SendAsync("""{"type":"room","data":{"roomid":"live","data":"plain"}}""");
        Assert.False((await viewer.ExpectAsync(Messages.RoomMessage("live"))).Data.TryGetProperty("priority", out _));

        var published = await ApiClient.PostAsync(server.HttpPort, "/api/publish", """{"roomid":"live","from":"system","priority":"high","data":"notice"}""");
        Assert.Equal(200, published.Status);
        Assert.Equal("high", (await viewer.ExpectAsync(Messages.RoomMessage("live"))).Data.Str("priority"));

        var bad = await ApiClient.PostAsync(server.HttpPort, "/api/publish", """{"roomid":"live","from":"system","priority":"top","data":1}""");
        Assert.Equal(400, bad.Status);
        Assert.Equal("priority", bad.Field);
    }

    [Fact]
    public async Task Over_the_room_rate_messages_are_dropped_with_an_ack_no_seq_and_no_history_and_the_sender_stays()
    {
        await using var server = await TestServer.StartAsync("--room-max-rate", "2", "--room-high-share", "0.5", "--rate-limit-per-second", "0");
        await using var sender = await ChatClient.ConnectAsync(server, "/sender");
        await using var member = await ChatClient.ConnectAsync(server, "/member");
        await sender.JoinAsync("hot");
        await member.JoinAsync("hot");

        const int Count = 30;
        for (var i = 1; i <= Count; i++)
        {
            await sender.SendAsync($$"""{"type":"room","data":{"roomid":"hot","priority":"low","data":{{i}}},"ref":{{i}}}""");
        }

        var acks = new List<Received>();
        for (var i = 1; i <= Count; i++)
        {
            acks.Add(await sender.ExpectAsync(m => m.Type == "ack" && ChatClient.Ref(m) == i.ToString(CultureInfo.InvariantCulture)));
        }

        var dropped = acks.Where(a => a.Data.TryGetProperty("dropped", out var d) && d.GetBoolean()).ToList();
        var kept = acks.Where(a => a.Data.TryGetProperty("seq", out _)).ToList();
        Assert.Equal(Count, dropped.Count + kept.Count);
        Assert.NotEmpty(dropped);
        Assert.All(dropped, a => Assert.Equal("low", a.Data.Str("priority")));
        Assert.All(dropped, a => Assert.False(a.Data.TryGetProperty("seq", out _)));

        // Members get exactly the kept ones, numbered without gaps, and so does the history.
        var delivered = await member.RoomMessagesAsync("hot", kept.Count);
        Assert.Equal(Enumerable.Range(1, kept.Count).Select(s => (long)s), delivered.Select(m => m.GetProperty("data").GetProperty("seq").GetInt64()));
        await member.SendAsync("""{"type":"history","data":{"roomid":"hot"},"ref":"h"}""");
        var history = await member.NextAsync("history");
        Assert.Equal(kept.Count, history.GetProperty("data").GetProperty("messages").GetArrayLength());

        // A high message is never dropped by the cap, and the sender is still connected.
        Assert.Null(sender.CloseStatus);
        using var http = new HttpClient { Timeout = ChatClient.DefaultTimeout };
        var metrics = await http.GetStringAsync(server.HttpUri("/metrics"));
        Assert.Equal(dropped.Count, MetricsText.Value(metrics, "pipechat_room_low_dropped_total"));
        Assert.Equal(kept.Count, MetricsText.Value(metrics, "pipechat_room_low_published_total"));
    }

    [Fact]
    public async Task Api_sets_a_rooms_own_rate_and_high_from_the_api_passes_a_full_room()
    {
        await using var server = await TestServer.StartAsync([.. ApiClient.ServerArgs, "--rate-limit-per-second", "0"]);
        await using var sender = await ChatClient.ConnectAsync(server, "/sender");
        await sender.JoinAsync("show");
        Assert.Equal(200, (await ApiClient.PostAsync(server.HttpPort, "/api/room-rate", """{"roomid":"show","rate":1}""")).Status);

        for (var i = 1; i <= 10; i++)
        {
            await sender.SendAsync($$"""{"type":"room","data":{"roomid":"show","data":{{i}}},"ref":{{i}}}""");
        }

        var acks = new List<Received>();
        for (var i = 1; i <= 10; i++)
        {
            acks.Add(await sender.ExpectAsync(m => m.Type == "ack" && ChatClient.Ref(m) == i.ToString(CultureInfo.InvariantCulture)));
        }

        Assert.Contains(acks, a => a.Data.TryGetProperty("dropped", out _));
        for (var i = 0; i < 5; i++)
        {
            var high = await ApiClient.PostAsync(server.HttpPort, "/api/publish", """{"roomid":"show","from":"system","priority":"high","data":"gift"}""");
            Assert.Equal(200, high.Status);
            Assert.True(high.Json.TryGetProperty("seq", out _), high.Body);
        }

        var normal = await ApiClient.PostAsync(server.HttpPort, "/api/publish", """{"roomid":"show","from":"system","data":"x"}""");
        Assert.True(normal.Json.GetProperty("dropped").GetBoolean(), normal.Body);

        // Back to the node's default (no cap): accepted again.
        Assert.Equal(200, (await ApiClient.PostAsync(server.HttpPort, "/api/room-rate", """{"roomid":"show","rate":null}""")).Status);
        var again = await ApiClient.PostAsync(server.HttpPort, "/api/publish", """{"roomid":"show","from":"system","data":"x"}""");
        Assert.True(again.Json.TryGetProperty("seq", out _), again.Body);
    }

    [Fact]
    public async Task Counter_increments_are_coalesced_into_at_most_one_update_per_interval()
    {
        const int IntervalMs = 300;
        await using var server = await TestServer.StartAsync("--counter-interval-ms", IntervalMs.ToString(CultureInfo.InvariantCulture), "--rate-limit-per-second", "0");
        await using var liker = await ChatClient.ConnectAsync(server, "/liker");
        await using var viewer = await ChatClient.ConnectAsync(server, "/viewer");
        await liker.JoinAsync("live");
        await viewer.JoinAsync("live");

        var started = Environment.TickCount64;
        for (var i = 0; i < 200; i++)
        {
            await liker.SendAsync("""{"type":"count","data":{"roomid":"live","name":"likes"}}""");
        }

        await liker.SendAsync("""{"type":"count","data":{"roomid":"live","name":"likes","by":5},"ref":"c"}""");
        await liker.ExpectAsync(m => m.Type == "ack" && ChatClient.Ref(m) == "c");

        var updates = new List<long>();
        while (updates.LastOrDefault() != 205)
        {
            var update = await viewer.ExpectAsync(m => m.Type == "counter", TimeSpan.FromSeconds(5));
            Assert.Equal("live", update.Data.Str("roomid"));
            Assert.Equal("likes", update.Data.Str("name"));
            updates.Add(update.Data.Num("value"));
        }

        var elapsedMs = Environment.TickCount64 - started;
        Assert.True(updates.Count <= (elapsedMs / IntervalMs) + 1, $"{updates.Count} updates in {elapsedMs} ms");
        Assert.Equal(updates.OrderBy(v => v), updates);

        await liker.SendAsync("""{"type":"count","data":{"roomid":"live"}}""");
        Assert.Equal("bad_request", Messages.ErrorCode(await liker.ExpectAsync(Messages.OfType("error"))));
        await liker.SendAsync("""{"type":"count","data":{"roomid":"elsewhere","name":"likes"}}""");
        Assert.Equal("not_in_room", Messages.ErrorCode(await liker.ExpectAsync(Messages.OfType("error"))));
        for (var i = 0; i < 16; i++)
        {
            await liker.SendAsync("{\"type\":\"count\",\"data\":{\"roomid\":\"live\",\"name\":\"c" + i + "\"}}");
        }

        Assert.Equal("too_many_counters", Messages.ErrorCode(await liker.ExpectAsync(Messages.OfType("error"))));
    }

    [Fact]
    public async Task A_stalled_member_is_thinned_not_closed_and_told_what_it_skipped()
    {
        await using var server = await TestServer.StartAsync([.. ApiClient.ServerArgs, "--max-queued-bytes", "196608", "--thin-after-bytes", "32768", "--rate-limit-per-second", "0"]);
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await alice.JoinAsync("r1");
        using var slow = await RawWebSocketClient.OpenAsync(server.Port, receiveBufferSize: 4096);
        Assert.Equal(101, RawWebSocketClient.StatusOf(await slow.UpgradeAsync("/slow")));
        await slow.SendTextMessageAsync("""{"type":"join","data":{"roomid":"r1"}}""");
        await alice.ExpectAsync(m => m.Type == "join" && m.Data.Str("id") == "slow");

        // 400 messages of 8 KiB while the slow member reads nothing: far past its 192 KiB limit.
        const int Count = 400;
        var payload = new string('p', 8 * 1024);
        for (var i = 1; i <= Count; i++)
        {
            var priority = i % 100 == 0 ? "high" : "normal";
            var body = "{\"roomid\":\"r1\",\"from\":\"system\",\"priority\":\"" + priority + "\",\"data\":{\"n\":" + i + ",\"p\":\"" + payload + "\"}}";
            Assert.Equal(200, (await ApiClient.PostAsync(server.HttpPort, "/api/publish", body)).Status);
        }

        // Now it reads: it is still open, got every high message, and skipped events cover what it missed, in order.
        var seen = new List<(string Type, long From, long To)>();
        while (seen.Count == 0 || seen[^1] != ("room", Count, Count))
        {
            var frame = await slow.ReceiveFrameAsync() ?? throw new InvalidOperationException("the stalled member was closed");
            Assert.NotEqual(PipeChat.Protocol.Framing.WebSocketOpcode.Close, frame.Opcode);
            var json = JsonDocument.Parse(Encoding.UTF8.GetString(frame.Payload)).RootElement;
            var data = json.GetProperty("data");
            switch (json.GetProperty("type").GetString())
            {
                case "room":
                    seen.Add(("room", data.Num("seq"), data.Num("seq")));
                    break;
                case "skipped":
                    seen.Add(("skipped", data.Num("from_seq"), data.Num("to_seq")));
                    Assert.Equal(data.Num("to_seq") - data.Num("from_seq") + 1, data.Num("count"));
                    break;
            }
        }

        // Seqs are covered once each, in order: delivered or skipped.
        var next = 1L;
        foreach (var (_, from, to) in seen)
        {
            Assert.Equal(next, from);
            next = to + 1;
        }

        Assert.Equal(Count + 1, next);
        Assert.Contains(seen, s => s.Type == "skipped");
        foreach (var high in new long[] { 100, 200, 300, 400 })
        {
            Assert.Contains(("room", high, high), seen);
        }

        using var http = new HttpClient { Timeout = ChatClient.DefaultTimeout };
        var metrics = await http.GetStringAsync(server.HttpUri("/metrics"));
        Assert.Equal(0, MetricsText.Value(metrics, "pipechat_slow_consumers_dropped_total") ?? 0);
        Assert.True(MetricsText.Value(metrics, "pipechat_room_normal_skipped_total") > 0);
    }

    [Fact]
    public async Task A_stalled_member_is_closed_when_high_priority_alone_overflows_its_limit()
    {
        await using var server = await TestServer.StartAsync([.. ApiClient.ServerArgs, "--max-queued-bytes", "196608", "--close-timeout-seconds", "1", "--rate-limit-per-second", "0"]);
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await alice.JoinAsync("r1");
        using var slow = await RawWebSocketClient.OpenAsync(server.Port, receiveBufferSize: 4096);
        Assert.Equal(101, RawWebSocketClient.StatusOf(await slow.UpgradeAsync("/slow")));
        await slow.SendTextMessageAsync("""{"type":"join","data":{"roomid":"r1"}}""");
        await alice.ExpectAsync(m => m.Type == "join" && m.Data.Str("id") == "slow");

        var payload = new string('p', 8 * 1024);
        for (var i = 1; i <= 400; i++)
        {
            var body = "{\"roomid\":\"r1\",\"from\":\"system\",\"priority\":\"high\",\"data\":{\"n\":" + i + ",\"p\":\"" + payload + "\"}}";
            Assert.Equal(200, (await ApiClient.PostAsync(server.HttpPort, "/api/publish", body)).Status);
        }

        var (textFrames, closeCode) = await slow.ReadToEndAsync(TimeSpan.FromSeconds(10));
        Assert.True(textFrames < 402, $"the slow client got {textFrames} text frames: it was never dropped");
        Assert.True(closeCode is null or 1008, $"close code {closeCode}");
        using var http = new HttpClient { Timeout = ChatClient.DefaultTimeout };
        Assert.Equal(1, MetricsText.Value(await http.GetStringAsync(server.HttpUri("/metrics")), "pipechat_slow_consumers_dropped_total"));
    }
}
