using PipeChat.Server.Auth;
using PipeChat.Server.Tests.Chat;
using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Permissions;

/// <summary>The rooms and mod claims: join, room, history and query of rooms outside the token's rooms are forbidden.</summary>
public sealed class PermissionTests
{
    internal const string Secret = "a-test-secret-that-is-at-least-32-bytes-long";

    internal static Task<TestServer> StartAsync(params string[] more) => TestServer.StartAsync(["--auth-secret", Secret, .. more]);

    internal static Task<ChatClient> ConnectAsync(TestServer server, string user, string[]? rooms = null, string[]? mod = null, TimeSpan? ttl = null)
        => ChatClient.ConnectAsync(server, "/?token=" + TokenIssuer.Create(Secret, user, ttl ?? TimeSpan.FromMinutes(5), rooms: rooms, moderated: mod));

    internal static async Task<Received> RequestAsync(ChatClient client, string type, string data)
    {
        var reference = client.NewRef();
        await client.SendAsync($$"""{"type":"{{type}}","data":{{data}},"ref":"{{reference}}"}""");
        return await client.ExpectAsync(m => ChatClient.Ref(m) == reference);
    }

    [Fact]
    public async Task A_rooms_claim_with_a_prefix_allows_matching_rooms_and_forbids_others()
    {
        await using var server = await StartAsync();
        await using var alice = await ConnectAsync(server, "alice", rooms: ["class-7-*", "lobby"]);

        Assert.Equal("joined", (await RequestAsync(alice, "join", """{"roomid":"class-7-math"}""")).Type);
        Assert.Equal("joined", (await RequestAsync(alice, "join", """{"roomid":"lobby"}""")).Type);
        var refused = await RequestAsync(alice, "join", """{"roomid":"class-8-math"}""");
        Assert.Equal("forbidden", Messages.ErrorCode(refused));
        Assert.Equal("forbidden", Messages.ErrorCode(await RequestAsync(alice, "join", """{"roomid":"lobby2"}""")));
    }

    [Fact]
    public async Task No_rooms_claim_allows_every_room_and_an_empty_one_none()
    {
        await using var server = await StartAsync();
        await using var anyRoom = await ConnectAsync(server, "alice");
        await using var noRoom = await ConnectAsync(server, "bob", rooms: []);

        Assert.Equal("joined", (await RequestAsync(anyRoom, "join", """{"roomid":"anything"}""")).Type);
        Assert.Equal("forbidden", Messages.ErrorCode(await RequestAsync(noRoom, "join", """{"roomid":"anything"}""")));
    }

    [Fact]
    public async Task History_and_member_queries_of_a_forbidden_room_are_refused_and_of_an_unjoined_room_need_membership()
    {
        await using var server = await StartAsync();
        await using var alice = await ConnectAsync(server, "alice", rooms: ["r1"]);
        await using var bob = await ConnectAsync(server, "bob", rooms: ["r1", "r2"]);
        await RequestAsync(bob, "join", """{"roomid":"r2"}""");
        await RequestAsync(bob, "join", """{"roomid":"r1"}""");

        Assert.Equal("forbidden", Messages.ErrorCode(await RequestAsync(alice, "history", """{"roomid":"r2"}""")));
        Assert.Equal("forbidden", Messages.ErrorCode(await RequestAsync(alice, "query", """{"roomid":"r2"}""")));
        Assert.Equal("not_in_room", Messages.ErrorCode(await RequestAsync(alice, "history", """{"roomid":"r1"}""")));
        Assert.Equal("not_in_room", Messages.ErrorCode(await RequestAsync(alice, "query", """{"roomid":"r1"}""")));

        await RequestAsync(alice, "join", """{"roomid":"r1"}""");
        Assert.Equal("history", (await RequestAsync(alice, "history", """{"roomid":"r1"}""")).Type);
        var members = await RequestAsync(alice, "query", """{"roomid":"r1"}""");
        Assert.Equal("members", members.Type);
        Assert.Equal(2, members.Data.Num("count"));
    }

    [Fact]
    public async Task A_moderator_may_join_read_and_query_the_rooms_it_moderates()
    {
        await using var server = await StartAsync();
        await using var bob = await ConnectAsync(server, "bob");
        await using var mod = await ConnectAsync(server, "mia", rooms: [], mod: ["live-*"]);
        await RequestAsync(bob, "join", """{"roomid":"live-1"}""");

        Assert.Equal("members", (await RequestAsync(mod, "query", """{"roomid":"live-1"}""")).Type);
        Assert.Equal("history", (await RequestAsync(mod, "history", """{"roomid":"live-1"}""")).Type);
        Assert.Equal("joined", (await RequestAsync(mod, "join", """{"roomid":"live-1"}""")).Type);
        Assert.Equal("forbidden", Messages.ErrorCode(await RequestAsync(mod, "join", """{"roomid":"other"}""")));
    }

    [Fact]
    public async Task Sending_without_joining_is_limited_to_the_rooms_the_token_allows()
    {
        await using var server = await StartAsync("--allow-send-without-join", "true");
        await using var bob = await ConnectAsync(server, "bob");
        await using var alice = await ConnectAsync(server, "alice", rooms: ["r1"]);
        await RequestAsync(bob, "join", """{"roomid":"r1"}""");
        await RequestAsync(bob, "join", """{"roomid":"r2"}""");

        Assert.Equal("ack", (await RequestAsync(alice, "room", """{"roomid":"r1","data":1}""")).Type);
        Assert.Equal("forbidden", Messages.ErrorCode(await RequestAsync(alice, "room", """{"roomid":"r2","data":1}""")));
    }

    [Fact]
    public async Task Broadcast_is_off_by_default()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");

        Assert.Equal("forbidden", Messages.ErrorCode(await RequestAsync(alice, "broadcast", "1")));
    }

    [Fact]
    public async Task A_token_whose_rooms_claim_is_not_a_list_of_patterns_is_refused()
    {
        await using var server = await StartAsync();
        var header = B64("""{"alg":"HS256","typ":"JWT"}""");
        var exp = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds();
        foreach (var claim in new[] { "\"rooms\":\"r1\"", "\"rooms\":[1]", "\"mod\":[\"a*b\"]", "\"rooms\":[\"\"]" })
        {
            var payload = B64($$"""{"sub":"alice","exp":{{exp}},{{claim}}}""");
            var signature = Convert.ToBase64String(System.Security.Cryptography.HMACSHA256.HashData(
                System.Text.Encoding.UTF8.GetBytes(Secret), System.Text.Encoding.ASCII.GetBytes(header + "." + payload))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, await ChatClient.RefusedStatusAsync(server, $"/?token={header}.{payload}.{signature}"));
        }
    }

    private static string B64(string json) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [Fact]
    public async Task A_rooms_moderators_may_send_high_priority_there_and_nowhere_else()
    {
        await using var server = await StartAsync();
        await using var mia = await ConnectAsync(server, "mia", mod: ["live-*"]);
        await using var viewer = await ConnectAsync(server, "viewer");
        await RequestAsync(mia, "join", """{"roomid":"live-1"}""");
        await RequestAsync(mia, "join", """{"roomid":"lobby"}""");
        await RequestAsync(viewer, "join", """{"roomid":"live-1"}""");

        Assert.Equal("ack", (await RequestAsync(mia, "room", """{"roomid":"live-1","priority":"high","data":"pinned"}""")).Type);
        Assert.Equal("high", (await viewer.ExpectAsync(Messages.RoomMessage("live-1"))).Data.Str("priority"));

        var elsewhere = await RequestAsync(mia, "room", """{"roomid":"lobby","priority":"high","data":"x"}""");
        Assert.Equal("forbidden", Messages.ErrorCode(elsewhere));
        Assert.Equal("forbidden", Messages.ErrorCode(await RequestAsync(viewer, "room", """{"roomid":"live-1","priority":"high","data":"x"}""")));
    }
}
