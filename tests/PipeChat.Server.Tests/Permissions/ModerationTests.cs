using PipeChat.Server.Tests.Api;
using PipeChat.Server.Tests.Chat;
using PipeChat.Server.Tests.Support;
using static PipeChat.Server.Tests.Permissions.PermissionTests;

namespace PipeChat.Server.Tests.Permissions;

/// <summary>mute, ban, recall and readonly: from moderators over the socket and from the server API.</summary>
public sealed class ModerationTests
{
    private static Task<TestServer> StartWithApiAsync() => StartAsync([.. ApiClient.ServerArgs]);

    private static async Task<(ChatClient Mod, ChatClient Bob, ChatClient Carol)> RoomAsync(TestServer server, string roomId = "live-1")
    {
        var mod = await ConnectAsync(server, "mia", mod: ["live-*"]);
        var bob = await ConnectAsync(server, "bob");
        var carol = await ConnectAsync(server, "carol");
        foreach (var client in new[] { mod, bob, carol })
        {
            Assert.Equal("joined", (await RequestAsync(client, "join", $$"""{"roomid":"{{roomId}}"}""")).Type);
        }

        return (mod, bob, carol);
    }

    [Fact]
    public async Task Non_moderators_get_forbidden_for_every_moderation_request()
    {
        await using var server = await StartAsync();
        await using var bob = await ConnectAsync(server, "bob", mod: ["other"]);
        await RequestAsync(bob, "join", """{"roomid":"r1"}""");

        foreach (var (type, data) in new[]
        {
            ("mute", """{"roomid":"r1","id":"carol","seconds":60}"""),
            ("ban", """{"roomid":"r1","id":"carol","seconds":60}"""),
            ("recall", """{"roomid":"r1","seq":1}"""),
            ("readonly", """{"roomid":"r1","on":true}"""),
        })
        {
            Assert.Equal("forbidden", Messages.ErrorCode(await RequestAsync(bob, type, data)));
        }
    }

    [Fact]
    public async Task A_muted_user_gets_muted_with_the_seconds_left_others_still_send_and_seconds_0_lifts()
    {
        await using var server = await StartAsync();
        var (mod, bob, carol) = await RoomAsync(server);
        await using (mod)
        await using (bob)
        await using (carol)
        {
            Assert.Equal("ack", (await RequestAsync(mod, "mute", """{"roomid":"live-1","id":"bob","seconds":600}""")).Type);

            var refused = await RequestAsync(bob, "room", """{"roomid":"live-1","data":"hi"}""");
            Assert.Equal("muted", Messages.ErrorCode(refused));
            Assert.InRange(refused.Data.Num("seconds"), 595, 600);
            Assert.Equal("ack", (await RequestAsync(carol, "room", """{"roomid":"live-1","data":"hi"}""")).Type);

            await RequestAsync(mod, "mute", """{"roomid":"live-1","id":"bob","seconds":0}""");
            Assert.Equal("ack", (await RequestAsync(bob, "room", """{"roomid":"live-1","data":"back"}""")).Type);
        }
    }

    [Fact]
    public async Task A_read_only_room_takes_messages_from_moderators_and_the_api_only()
    {
        await using var server = await StartWithApiAsync();
        var (mod, bob, carol) = await RoomAsync(server);
        await using (mod)
        await using (bob)
        await using (carol)
        {
            await RequestAsync(mod, "readonly", """{"roomid":"live-1","on":true}""");

            Assert.Equal("readonly", Messages.ErrorCode(await RequestAsync(bob, "room", """{"roomid":"live-1","data":1}""")));
            Assert.Equal("ack", (await RequestAsync(mod, "room", """{"roomid":"live-1","data":"from the host"}""")).Type);
            Assert.Equal(200, (await ApiClient.PostAsync(server.HttpPort, "/api/publish", """{"roomid":"live-1","from":"system","data":"api"}""")).Status);
            await carol.ExpectAsync(m => m.Type == "room" && m.Data.GetProperty("data").ToString() == "api");

            Assert.Equal("""{"ok":true}""", (await ApiClient.PostAsync(server.HttpPort, "/api/readonly", """{"roomid":"live-1","on":false}""")).Body);
            Assert.Equal("ack", (await RequestAsync(bob, "room", """{"roomid":"live-1","data":2}""")).Type);
        }
    }

    [Fact]
    public async Task A_ban_puts_every_connection_of_the_user_out_members_see_a_leave_and_join_gets_banned()
    {
        await using var server = await StartAsync();
        var (mod, bob, carol) = await RoomAsync(server);
        await using var bobPhone = await ConnectAsync(server, "bob");
        await RequestAsync(bobPhone, "join", """{"roomid":"live-1"}""");
        await using (mod)
        await using (bob)
        await using (carol)
        {
            Assert.Equal("ack", (await RequestAsync(mod, "ban", """{"roomid":"live-1","id":"bob","seconds":600}""")).Type);

            foreach (var connection in new[] { bob, bobPhone })
            {
                var left = await connection.ExpectAsync(m => m.Type == "left" && m.Data.Str("roomid") == "live-1");
                Assert.Equal("banned", left.Data.Str("reason"));
            }

            await carol.ExpectAsync(m => m.Type == "leave" && m.Data.Str("id") == "bob");
            var members = await RequestAsync(carol, "query", """{"roomid":"live-1"}""");
            Assert.DoesNotContain("bob", members.Data.GetProperty("members").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal("not_in_room", Messages.ErrorCode(await RequestAsync(bob, "room", """{"roomid":"live-1","data":1}""")));
            var refused = await RequestAsync(bob, "join", """{"roomid":"live-1"}""");
            Assert.Equal("banned", Messages.ErrorCode(refused));
            Assert.InRange(refused.Data.Num("seconds"), 595, 600);

            await RequestAsync(mod, "ban", """{"roomid":"live-1","id":"bob","seconds":0}""");
            Assert.Equal("joined", (await RequestAsync(bob, "join", """{"roomid":"live-1"}""")).Type);
        }
    }

    [Fact]
    public async Task A_ban_without_seconds_holds_until_lifted_and_its_error_has_no_seconds()
    {
        await using var server = await StartWithApiAsync();
        await using var bob = await ConnectAsync(server, "bob");

        Assert.Equal(200, (await ApiClient.PostAsync(server.HttpPort, "/api/ban", """{"roomid":"r1","id":"bob","seconds":null}""")).Status);

        var refused = await RequestAsync(bob, "join", """{"roomid":"r1"}""");
        Assert.Equal("banned", Messages.ErrorCode(refused));
        Assert.False(refused.Data.TryGetProperty("seconds", out _));
    }

    [Fact]
    public async Task A_recall_reaches_the_members_and_history_and_resume_return_a_tombstone()
    {
        await using var server = await StartAsync();
        var (mod, bob, carol) = await RoomAsync(server);
        await using (mod)
        await using (bob)
        await using (carol)
        {
            var epoch = (await RequestAsync(carol, "join", """{"roomid":"live-1"}""")).Data.Str("epoch");
            await RequestAsync(bob, "room", """{"roomid":"live-1","data":"one"}""");
            var secret = await RequestAsync(bob, "room", """{"roomid":"live-1","data":"my phone number is xyzzy-42"}""");
            await RequestAsync(bob, "room", """{"roomid":"live-1","data":"three"}""");
            var seq = secret.Data.Num("seq");
            await carol.ExpectAsync(m => m.Type == "room" && m.Data.Num("seq") == seq + 1);
            await carol.CloseAsync();

            Assert.Equal("ack", (await RequestAsync(mod, "recall", $$"""{"roomid":"live-1","seq":{{seq}}}""")).Type);

            var recall = await bob.ExpectAsync(Messages.OfType("recall"));
            Assert.Equal($$$"""{"type":"recall","data":{"roomid":"live-1","seq":{{{seq}}},"by":"mia"}}""", recall.Raw);
            var history = await RequestAsync(bob, "history", """{"roomid":"live-1"}""");
            Assert.DoesNotContain("xyzzy-42", history.Raw);
            Assert.Contains($$$"""{"type":"room","data":{"roomid":"live-1","seq":{{{seq}}},"recalled":true}}""", history.Raw);

            await using var carolAgain = await ConnectAsync(server, "carol");
            await carolAgain.SendAsync($$$"""{"type":"join","data":{"roomid":"live-1","since":{{{seq - 1}}},"epoch":"{{{epoch}}}"}}""");
            var replayed = await carolAgain.UntilAsync(m => m.TryGetProperty("data", out var d) && d.TryGetProperty("seq", out var s) && s.GetInt64() == seq + 1 && m.GetProperty("type").GetString() == "room", "the replay");
            var tombstone = replayed.Single(m => m.GetProperty("type").GetString() == "room" && m.GetProperty("data").GetProperty("seq").GetInt64() == seq);
            Assert.True(tombstone.GetProperty("data").GetProperty("recalled").GetBoolean());
            Assert.False(tombstone.GetProperty("data").TryGetProperty("data", out _));
        }
    }

    [Fact]
    public async Task Recall_of_a_seq_the_room_never_had_is_not_found()
    {
        await using var server = await StartWithApiAsync();
        var (mod, bob, carol) = await RoomAsync(server);
        await using (mod)
        await using (bob)
        await using (carol)
        {
            Assert.Equal("not_found", Messages.ErrorCode(await RequestAsync(mod, "recall", """{"roomid":"live-1","seq":5}""")));
            Assert.Equal(404, (await ApiClient.PostAsync(server.HttpPort, "/api/recall", """{"roomid":"live-1","seq":5}""")).Status);
        }
    }

    [Fact]
    public async Task The_api_mutes_bans_and_recalls()
    {
        await using var server = await StartWithApiAsync();
        var (mod, bob, carol) = await RoomAsync(server);
        await using (mod)
        await using (bob)
        await using (carol)
        {
            var sent = await RequestAsync(carol, "room", """{"roomid":"live-1","data":"oops"}""");

            Assert.Equal("""{"ok":true}""", (await ApiClient.PostAsync(server.HttpPort, "/api/mute", """{"roomid":"live-1","id":"carol","seconds":60}""")).Body);
            Assert.Equal("muted", Messages.ErrorCode(await RequestAsync(carol, "room", """{"roomid":"live-1","data":1}""")));
            Assert.Equal("""{"ok":true}""", (await ApiClient.PostAsync(server.HttpPort, "/api/recall", $$"""{"roomid":"live-1","seq":{{sent.Data.Num("seq")}}}""")).Body);
            Assert.Equal("server", (await bob.ExpectAsync(Messages.OfType("recall"))).Data.Str("by"));
            Assert.Equal("""{"ok":true}""", (await ApiClient.PostAsync(server.HttpPort, "/api/ban", """{"roomid":"live-1","id":"bob","seconds":60}""")).Body);
            await bob.ExpectAsync(m => m.Type == "left" && m.Data.Str("reason") == "banned");
            var bad = await ApiClient.PostAsync(server.HttpPort, "/api/mute", """{"roomid":"live-1","id":"bob","seconds":-1}""");
            Assert.Equal(400, bad.Status);
            Assert.Equal("seconds", bad.Field);
        }
    }
}
