using System.Net.WebSockets;
using PipeChat.Server.Auth;
using PipeChat.Server.Tests.Chat;
using PipeChat.Server.Tests.Support;
using static PipeChat.Server.Tests.Permissions.PermissionTests;

namespace PipeChat.Server.Tests.Permissions;

/// <summary>refresh: a new token on an open connection, its claims and its expiry; 4001 when a token runs out.</summary>
public sealed class RefreshTests
{
    private static string Token(string user, TimeSpan ttl, string[]? rooms = null, string[]? mod = null, string secret = Secret)
        => TokenIssuer.Create(secret, user, ttl, rooms: rooms, moderated: mod);

    [Fact]
    public async Task Welcome_carries_the_token_expiry_and_a_refresh_moves_it()
    {
        await using var server = await StartAsync();
        await using var alice = await ConnectAsync(server, "alice", ttl: TimeSpan.FromMinutes(5));
        var exp = alice.Welcome.Data.Num("exp");
        Assert.InRange(exp - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 290, 301);

        var ack = await RequestAsync(alice, "refresh", $$"""{"token":"{{Token("alice", TimeSpan.FromHours(1))}}"}""");

        Assert.Equal("ack", ack.Type);
        Assert.InRange(ack.Data.Num("exp") - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 3590, 3601);
    }

    [Fact]
    public async Task Without_auth_the_welcome_has_no_exp_and_refresh_is_a_bad_request()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");

        Assert.False(alice.Welcome.Data.TryGetProperty("exp", out _));
        Assert.Equal("bad_request", Messages.ErrorCode(await RequestAsync(alice, "refresh", """{"token":"x.y.z"}""")));
    }

    [Fact]
    public async Task A_forged_an_expired_or_another_users_token_is_refused_and_changes_nothing()
    {
        await using var server = await StartAsync();
        await using var alice = await ConnectAsync(server, "alice", rooms: ["r1"]);
        var expired = TokenIssuer.Create(Secret, "alice", TimeSpan.FromMinutes(5), time: new ShiftedTime(TimeSpan.FromHours(-1)), rooms: ["*"]);

        var forged = await RequestAsync(alice, "refresh", $$"""{"token":"{{Token("alice", TimeSpan.FromHours(1), ["*"], secret: "another-secret-of-at-least-32-bytes-xxxxx")}}"}""");
        var old = await RequestAsync(alice, "refresh", $$"""{"token":"{{expired}}"}""");
        var other = await RequestAsync(alice, "refresh", $$"""{"token":"{{Token("mallory", TimeSpan.FromHours(1), ["*"])}}"}""");

        Assert.Equal("bad_token", Messages.ErrorCode(forged));
        Assert.Equal("token signature invalid", forged.Data.Str("message"));
        Assert.Equal("bad_token", Messages.ErrorCode(old));
        Assert.Equal("token expired", old.Data.Str("message"));
        Assert.Equal("forbidden", Messages.ErrorCode(other));
        Assert.Equal("forbidden", Messages.ErrorCode(await RequestAsync(alice, "join", """{"roomid":"r2"}""")));
    }

    [Fact]
    public async Task A_refresh_that_removes_a_room_makes_the_user_leave_it_and_members_see_the_leave()
    {
        await using var server = await StartAsync();
        await using var alice = await ConnectAsync(server, "alice", rooms: ["r1", "r2"]);
        await using var bob = await ConnectAsync(server, "bob");
        await RequestAsync(bob, "join", """{"roomid":"r1"}""");
        await RequestAsync(alice, "join", """{"roomid":"r1"}""");
        await RequestAsync(alice, "join", """{"roomid":"r2"}""");

        var ack = await RequestAsync(alice, "refresh", $$"""{"token":"{{Token("alice", TimeSpan.FromHours(1), ["r2", "r3"])}}"}""");

        Assert.Equal("ack", ack.Type);
        var left = await alice.ExpectAsync(m => m.Type == "left" && m.Data.Str("roomid") == "r1");
        Assert.Equal("forbidden", left.Data.Str("reason"));
        var seen = await bob.ExpectAsync(m => m.Type == "leave" && m.Data.Str("id") == "alice");
        Assert.Equal("r1", seen.Data.Str("roomid"));
        Assert.Equal("not_in_room", Messages.ErrorCode(await RequestAsync(alice, "room", """{"roomid":"r1","data":1}""")));
        Assert.Equal("ack", (await RequestAsync(alice, "room", """{"roomid":"r2","data":1}""")).Type);
        Assert.Equal("joined", (await RequestAsync(alice, "join", """{"roomid":"r3"}""")).Type);
    }

    [Fact]
    public async Task A_refresh_can_grant_moderation()
    {
        await using var server = await StartAsync();
        await using var alice = await ConnectAsync(server, "alice");

        Assert.Equal("forbidden", Messages.ErrorCode(await RequestAsync(alice, "readonly", """{"roomid":"r1","on":true}""")));
        await RequestAsync(alice, "refresh", $$"""{"token":"{{Token("alice", TimeSpan.FromHours(1), mod: ["r*"])}}"}""");
        Assert.Equal("ack", (await RequestAsync(alice, "readonly", """{"roomid":"r1","on":true}""")).Type);
    }

    [Fact]
    public async Task A_connection_whose_token_expires_unrefreshed_is_closed_with_4001()
    {
        await using var server = await StartAsync("--ping-interval-seconds", "1");
        await using var alice = await ConnectAsync(server, "alice", ttl: TimeSpan.FromSeconds(2));
        await using var bob = await ConnectAsync(server, "bob", ttl: TimeSpan.FromSeconds(2));
        await RequestAsync(bob, "refresh", $$"""{"token":"{{Token("bob", TimeSpan.FromMinutes(5))}}"}""");

        var status = await alice.Closed.WaitAsync(TimeSpan.FromSeconds(15));

        Assert.Equal((WebSocketCloseStatus)4001, status);
        Assert.Equal("token expired", alice.CloseDescription);
        Assert.Equal(WebSocketState.Open, bob.State);
        Assert.Equal("pong", (await RequestAsync(bob, "ping", "{}")).Type);
    }

    private sealed class ShiftedTime(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => DateTimeOffset.UtcNow + shift;
    }
}
