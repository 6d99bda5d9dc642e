using PipeChat.Server.Auth;

namespace PipeChat.Server.Tests.Permissions;

public sealed class RoomAccessTests
{
    [Fact]
    public void Exact_ids_and_prefixes_match_and_nothing_else()
    {
        var access = new RoomAccess(["lobby", "class-7-*"], ["class-7-math"]);

        Assert.True(access.MayJoin("lobby"));
        Assert.True(access.MayJoin("class-7-"));
        Assert.True(access.MayJoin("class-7-art"));
        Assert.False(access.MayJoin("lobby2"));
        Assert.False(access.MayJoin("class-8-art"));
        Assert.True(access.Moderates("class-7-math"));
        Assert.False(access.Moderates("class-7-art"));
    }

    [Fact]
    public void No_rooms_claim_is_every_room_a_lone_star_too_and_moderated_rooms_may_be_joined()
    {
        Assert.True(RoomAccess.Everyone.MayJoin("x"));
        Assert.False(RoomAccess.Everyone.Moderates("x"));
        Assert.True(new RoomAccess(["*"], []).MayJoin("anything"));
        Assert.True(new RoomAccess([], ["m*"]).MayJoin("m1"));
        Assert.False(new RoomAccess([], ["m*"]).MayJoin("n1"));
    }

    [Theory]
    [InlineData("r1", true)]
    [InlineData("r*", true)]
    [InlineData("*", true)]
    [InlineData("", false)]
    [InlineData("a*b", false)]
    [InlineData("**", false)]
    public void Patterns_are_checked(string pattern, bool valid) => Assert.Equal(valid, RoomAccess.IsValidPattern(pattern));

    [Fact]
    public async Task Issued_claims_are_read_back_with_the_expiry()
    {
        const string secret = PermissionTests.Secret;
        var token = TokenIssuer.Create(secret, "alice", TimeSpan.FromMinutes(5), rooms: ["r1", "c-*"], moderated: ["c-1"]);

        var outcome = await new TokenValidator(secret).ValidateAsync(token);

        Assert.True(outcome.IsValid);
        Assert.Equal(["r1", "c-*"], outcome.Access.Rooms!);
        Assert.Equal(["c-1"], outcome.Access.Moderated);
        Assert.InRange(outcome.ExpiresAt - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 290, 301);
    }

    [Fact]
    public async Task A_token_without_claims_grants_every_room()
    {
        var outcome = await new TokenValidator(PermissionTests.Secret).ValidateAsync(TokenIssuer.Create(PermissionTests.Secret, "alice", TimeSpan.FromMinutes(5)));

        Assert.Same(RoomAccess.Everyone, outcome.Access);
    }
}
