using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using PipeChat.Server.Tests.Chat;
using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Content;

/// <summary>The publish hook end to end: a real server POSTing to a real local hook.</summary>
public sealed class PublishHookTests
{
    private static string Text(JsonElement room) => room.GetProperty("data").GetProperty("data").GetProperty("t").GetString()!;

    private static async Task<(TestServer Server, ChatClient Alice, ChatClient Bob)> StartAsync(string hookUrl, params string[] args)
    {
        var server = await TestServer.StartAsync(["--publish-hook", hookUrl, .. args]);
        var alice = await ChatClient.ConnectAsync(server, "/alice");
        var bob = await ChatClient.ConnectAsync(server, "/bob");
        await alice.JoinAsync("r1");
        await bob.JoinAsync("r1");
        return (server, alice, bob);
    }

    [Fact]
    public async Task Allowed_message_is_delivered_and_the_hook_got_roomid_from_and_data_as_sent()
    {
        await using var hook = await HookServer.StartAsync(HookServer.Allow);
        var (server, alice, bob) = await StartAsync(hook.Url);
        await using var _s = server;
        await using var _a = alice;
        await using var _b = bob;

        await alice.SendAsync("""{"type":"room","data":{"roomid":"r1","data":{"t":"hi 你好","n":[1, 2]}},"ref":"m1"}""");

        var ack = await alice.ExpectAsync(Messages.WithRef("ack", "m1"));
        Assert.Equal(1, ack.Data.Num("seq"));
        var room = await bob.NextAsync("room");
        Assert.Equal("hi 你好", Text(room));
        var request = Assert.Single(hook.Requests);
        Assert.Equal("r1", request.Str("roomid"));
        Assert.Equal("alice", request.Str("from"));
        Assert.Equal("""{"t":"hi 你好","n":[1, 2]}""", request.GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task Rejected_message_gets_error_rejected_with_the_hooks_code_and_takes_no_seq()
    {
        await using var hook = await HookServer.StartAsync(r => Task.FromResult(
            r.GetProperty("data").Str("t") == "buy now" ? (200, """{"action":"reject","code":"spam"}""") : (200, """{"action":"allow"}""")));
        var (server, alice, bob) = await StartAsync(hook.Url);
        await using var _s = server;
        await using var _a = alice;
        await using var _b = bob;

        await alice.SendAsync("""{"type":"room","data":{"roomid":"r1","data":{"t":"buy now"}},"ref":"m1"}""");
        var error = await alice.ExpectAsync(Messages.Error("rejected"));
        Assert.Equal("""{"type":"error","data":{"code":"rejected","message":"the message was rejected","reason":"spam"},"ref":"m1"}""", error.Raw);

        await alice.SendAsync("""{"type":"room","data":{"roomid":"r1","data":{"t":"hello"}}}""");
        var room = await bob.NextAsync("room");
        Assert.Equal("hello", Text(room));
        Assert.Equal(1, room.GetProperty("data").Num("seq"));
    }

    [Fact]
    public async Task Replaced_message_is_delivered_and_kept_in_history_with_the_hooks_data()
    {
        await using var hook = await HookServer.StartAsync(_ => Task.FromResult((200, """{"action":"replace","data":{"t":"[已屏蔽]"}}""")));
        var (server, alice, bob) = await StartAsync(hook.Url);
        await using var _s = server;
        await using var _a = alice;
        await using var _b = bob;

        await alice.SendAsync("""{"type":"room","data":{"roomid":"r1","data":{"t":"something bad"}},"ref":"m1"}""");

        Assert.Equal("[已屏蔽]", Text(await bob.NextAsync("room")));
        Assert.Equal("[已屏蔽]", Text(await alice.NextAsync("room")));
        await alice.SendAsync("""{"type":"history","data":{"roomid":"r1"},"ref":"h"}""");
        var history = await alice.NextAsync("history");
        Assert.Equal("[已屏蔽]", Text(history.GetProperty("data").GetProperty("messages")[0]));
    }

    [Theory]
    [InlineData("closed")]
    [InlineData("open")]
    public async Task A_hook_that_times_out_refuses_the_message_when_closed_and_lets_it_through_when_open(string failure)
    {
        var release = new TaskCompletionSource<(int, string)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var hook = await HookServer.StartAsync(_ => release.Task);
        var (server, alice, bob) = await StartAsync(hook.Url, "--publish-hook-timeout-ms", "200", "--publish-hook-failure", failure);
        await using var _s = server;
        await using var _a = alice;
        await using var _b = bob;
        try
        {
            await alice.SendAsync("""{"type":"room","data":{"roomid":"r1","data":{"t":"slow"}},"ref":"m1"}""");
            if (failure == "closed")
            {
                var error = await alice.ExpectAsync(Messages.Error("rejected"));
                Assert.Equal("hook_unavailable", error.Data.Str("reason"));
                Assert.DoesNotContain(await bob.SyncAsync(), m => m.Type == "room");
            }
            else
            {
                Assert.Equal("slow", Text(await bob.NextAsync("room")));
                await alice.ExpectAsync(Messages.WithRef("ack", "m1"));
            }
        }
        finally
        {
            release.TrySetResult((200, """{"action":"allow"}"""));
        }
    }

    [Theory]
    [InlineData("closed")]
    [InlineData("open")]
    public async Task A_hook_that_is_down_refuses_when_closed_and_lets_through_when_open(string failure)
    {
        var (server, alice, bob) = await StartAsync($"http://127.0.0.1:{UnusedPort()}/hook", "--publish-hook-failure", failure);
        await using var _s = server;
        await using var _a = alice;
        await using var _b = bob;

        await alice.SendAsync("""{"type":"room","data":{"roomid":"r1","data":{"t":"x"}},"ref":"m1"}""");
        if (failure == "closed")
        {
            var error = await alice.ExpectAsync(Messages.Error("rejected"));
            Assert.Equal("hook_unavailable", error.Data.Str("reason"));
        }
        else
        {
            Assert.Equal("x", Text(await bob.NextAsync("room")));
        }
    }

    [Fact]
    public async Task A_hook_answering_with_an_error_status_or_a_bad_body_counts_as_failed()
    {
        await using var hook = await HookServer.StartAsync(r => Task.FromResult(r.GetProperty("data").Str("t") switch
        {
            "500" => (500, ""),
            "junk" => (200, "not json"),
            "what" => (200, """{"action":"maybe"}"""),
            _ => (204, ""),
        }));
        var (server, alice, bob) = await StartAsync(hook.Url);
        await using var _s = server;
        await using var _a = alice;
        await using var _b = bob;

        foreach (var t in new[] { "500", "junk", "what" })
        {
            await alice.SendAsync("{\"type\":\"room\",\"data\":{\"roomid\":\"r1\",\"data\":{\"t\":\"" + t + "\"}},\"ref\":\"" + t + "\"}");
            var error = await alice.ExpectAsync(Messages.WithRef("error", t));
            Assert.Equal("hook_unavailable", error.Data.Str("reason"));
        }

        // 204 No Content allows.
        await alice.SendAsync("""{"type":"room","data":{"roomid":"r1","data":{"t":"fine"}}}""");
        Assert.Equal("fine", Text(await bob.NextAsync("room")));
    }

    [Fact]
    public async Task Messages_of_one_room_keep_their_arrival_order_while_a_slow_answer_is_awaited()
    {
        var release = new TaskCompletionSource<(int, string)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var hook = await HookServer.StartAsync(r => r.GetProperty("data").Str("t") == "first" ? release.Task : HookServer.Allow(r));
        var (server, alice, bob) = await StartAsync(hook.Url);
        await using var _s = server;
        await using var _a = alice;
        await using var _b = bob;
        await using var carol = await ChatClient.ConnectAsync(server, "/carol");
        await carol.JoinAsync("r1");

        await alice.SendAsync("""{"type":"room","data":{"roomid":"r1","data":{"t":"first"}}}""");
        await Eventually.UntilAsync(() => hook.Requests.Count == 1, what: "the hook to get the first message");
        for (var i = 1; i <= 5; i++)
        {
            await bob.SendAsync("{\"type\":\"room\",\"data\":{\"roomid\":\"r1\",\"data\":{\"t\":\"m" + i + "\"}}}");
        }

        // The hook has answered the five later ones; none may overtake the first.
        await Eventually.UntilAsync(() => hook.Requests.Count == 6, what: "the hook to get all six");
        Assert.DoesNotContain(await carol.SyncAsync(), m => m.Type == "room");

        release.SetResult((200, """{"action":"allow"}"""));
        var messages = await carol.RoomMessagesAsync("r1", 6);
        Assert.Equal(["first", "m1", "m2", "m3", "m4", "m5"], messages.Select(Text));
        Assert.Equal([1L, 2, 3, 4, 5, 6], messages.Select(m => m.GetProperty("data").Num("seq")));
    }

    [Fact]
    public async Task Hook_calls_for_different_rooms_run_side_by_side()
    {
        var release = new TaskCompletionSource<(int, string)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var hook = await HookServer.StartAsync(r => r.Str("roomid") == "slow" ? release.Task : HookServer.Allow(r));
        var (server, alice, bob) = await StartAsync(hook.Url);
        await using var _s = server;
        await using var _a = alice;
        await using var _b = bob;
        await alice.JoinAsync("slow");
        await bob.JoinAsync("slow");
        try
        {
            await alice.SendAsync("""{"type":"room","data":{"roomid":"slow","data":{"t":"waits"}}}""");
            await Eventually.UntilAsync(() => hook.InFlight == 1, what: "the slow room's call to be held");

            // Another room's message passes while the first call is still open.
            await bob.SendAsync("""{"type":"room","data":{"roomid":"r1","data":{"t":"passes"}}}""");
            Assert.Equal("passes", Text(await alice.NextAsync("room")));
            Assert.True(hook.MaxInFlight >= 1);
            Assert.Equal(1, hook.InFlight);
        }
        finally
        {
            release.TrySetResult((200, """{"action":"allow"}"""));
        }

        Assert.Equal("waits", Text(await bob.NextAsync("room", m => m.GetProperty("data").Str("roomid") == "slow")));
    }

    [Fact]
    public async Task A_senders_requests_after_a_held_room_message_are_answered_after_it()
    {
        var release = new TaskCompletionSource<(int, string)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var hook = await HookServer.StartAsync(_ => release.Task);
        var (server, alice, bob) = await StartAsync(hook.Url);
        await using var _s = server;
        await using var _a = alice;
        await using var _b = bob;

        await alice.SendAsync("""{"type":"room","data":{"roomid":"r1","data":{"t":"a"}},"ref":"m1"}""");
        await alice.SendAsync("""{"type":"ping","ref":"p1"}""");
        await Eventually.UntilAsync(() => hook.Requests.Count == 1, what: "the hook call");
        release.SetResult((200, """{"action":"allow"}"""));

        var replies = await alice.UntilAsync(m => m.GetProperty("type").GetString() == "pong", "pong");
        Assert.Contains(replies, m => m.GetProperty("type").GetString() == "ack");
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
