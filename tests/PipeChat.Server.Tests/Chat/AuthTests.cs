using System.Net;
using PipeChat.Server.Auth;
using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Chat;

public sealed class AuthTests
{
    private const string Secret = "a-test-secret-that-is-at-least-32-bytes-long";

    private static Task<TestServer> StartAsync() => TestServer.StartAsync("--auth-secret", Secret);

    [Fact]
    public async Task Token_in_the_query_is_accepted_and_gives_the_id()
    {
        await using var server = await StartAsync();
        var token = TokenIssuer.Create(Secret, "alice", TimeSpan.FromMinutes(5));

        await using var alice = await ChatClient.ConnectAsync(server, "/?token=" + token);

        Assert.Equal("alice", alice.Id);
    }

    [Fact]
    public async Task Token_in_the_authorization_bearer_header_is_accepted()
    {
        await using var server = await StartAsync();
        var token = TokenIssuer.Create(Secret, "bob", TimeSpan.FromMinutes(5));

        await using var bob = await ChatClient.ConnectAsync(server, "/", o => o.SetRequestHeader("Authorization", "Bearer " + token));

        Assert.Equal("bob", bob.Id);
    }

    [Fact]
    public async Task Id_in_the_url_is_ignored_when_auth_is_on()
    {
        await using var server = await StartAsync();
        var token = TokenIssuer.Create(Secret, "alice", TimeSpan.FromMinutes(5));

        await using var fromPath = await ChatClient.ConnectAsync(server, "/mallory?token=" + token);
        await using var fromQuery = await ChatClient.ConnectAsync(server, "/?id=mallory&token=" + token);

        Assert.Equal("alice", fromPath.Id);
        Assert.Equal("alice", fromQuery.Id);
    }

    [Fact]
    public async Task Expired_token_is_refused_with_401()
    {
        await using var server = await StartAsync();
        var issuedAnHourAgo = new FixedTimeProvider(DateTimeOffset.UtcNow.AddHours(-1));
        var token = TokenIssuer.Create(Secret, "alice", TimeSpan.FromMinutes(5), time: issuedAnHourAgo);

        Assert.Equal(HttpStatusCode.Unauthorized, await ChatClient.RefusedStatusAsync(server, "/?token=" + token));
    }

    [Fact]
    public async Task Token_signed_with_another_secret_is_refused_with_401()
    {
        await using var server = await StartAsync();
        var forged = TokenIssuer.Create("another-secret-of-at-least-32-bytes-xxxxx", "alice", TimeSpan.FromMinutes(5));

        Assert.Equal(HttpStatusCode.Unauthorized, await ChatClient.RefusedStatusAsync(server, "/?token=" + forged));
        Assert.Equal(HttpStatusCode.Unauthorized, await ChatClient.RefusedStatusAsync(server, "/", o => o.SetRequestHeader("Authorization", "Bearer " + forged)));
    }

    [Fact]
    public async Task Tampered_payload_is_refused_with_401()
    {
        await using var server = await StartAsync();
        var parts = TokenIssuer.Create(Secret, "alice", TimeSpan.FromMinutes(5)).Split('.');
        var otherPayload = TokenIssuer.Create(Secret, "admin", TimeSpan.FromMinutes(5)).Split('.')[1];
        var tampered = $"{parts[0]}.{otherPayload}.{parts[2]}";

        Assert.Equal(HttpStatusCode.Unauthorized, await ChatClient.RefusedStatusAsync(server, "/?token=" + tampered));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/alice")]
    [InlineData("/?id=alice")]
    [InlineData("/?token=")]
    [InlineData("/?token=not-a-jwt")]
    public async Task Missing_or_malformed_token_is_refused_with_401(string pathAndQuery)
    {
        await using var server = await StartAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, await ChatClient.RefusedStatusAsync(server, pathAndQuery));
    }

    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
