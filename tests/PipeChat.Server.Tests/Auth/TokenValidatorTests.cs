using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using PipeChat.Server.Auth;

namespace PipeChat.Server.Tests.Auth;

public class TokenValidatorTests
{
    private const string Secret = "0123456789abcdef0123456789abcdef-test";

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>A JWT built by hand (HMAC-SHA256 over base64url(header).base64url(payload)), as any JWT library would.</summary>
    private static string HandRolled(string header, string payload, string secret = Secret, string? alg = "HS256")
    {
        var signingInput = B64(header) + "." + B64(payload);
        var signature = alg switch
        {
            "HS256" => HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(signingInput)),
            "HS512" => HMACSHA512.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(signingInput)),
            _ => [],
        };
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    private static string B64(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    private static string Hs256(string payload) => HandRolled("""{"alg":"HS256","typ":"JWT"}""", payload);

    private static Task<TokenValidationOutcome> Validate(string? token) => new TokenValidator(Secret).ValidateAsync(token);

    [Fact]
    public async Task Hand_rolled_HS256_token_is_accepted_with_sub_as_the_user_id()
    {
        var outcome = await Validate(Hs256($$"""{"sub":"alice","exp":{{Now + 600}}}"""));
        Assert.True(outcome.IsValid, outcome.Failure.ToString());
        Assert.Equal("alice", outcome.UserId);
    }

    [Fact]
    public async Task Issued_token_is_accepted()
    {
        var outcome = await Validate(TokenIssuer.Create(Secret, "bob", TimeSpan.FromHours(1)));
        Assert.True(outcome.IsValid);
        Assert.Equal("bob", outcome.UserId);
        Assert.Same(RoomAccess.Everyone, outcome.Access);
        Assert.InRange(outcome.ExpiresAt - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 3590, 3601);
    }

    [Fact]
    public async Task Issued_token_header_and_payload_are_standard()
    {
        var parts = TokenIssuer.Create(Secret, "bob", TimeSpan.FromSeconds(100)).Split('.');
        Assert.Equal(3, parts.Length);
        var header = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[0]));
        var payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1]));
        Assert.Contains("\"alg\":\"HS256\"", header, StringComparison.Ordinal);
        Assert.Contains("\"sub\":\"bob\"", payload, StringComparison.Ordinal);
        Assert.Contains("\"exp\":", payload, StringComparison.Ordinal);
        var expected = Base64Url.EncodeToString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.ASCII.GetBytes(parts[0] + "." + parts[1])));
        Assert.Equal(expected, parts[2]);
    }

    [Fact]
    public async Task Expired_token_is_refused()
    {
        var outcome = await Validate(Hs256($$"""{"sub":"alice","exp":{{Now - 120}}}"""));
        Assert.Equal(TokenFailure.Expired, outcome.Failure);
        Assert.Null(outcome.UserId);
    }

    [Fact]
    public async Task Token_expired_within_the_clock_skew_is_accepted() =>
        Assert.True((await Validate(Hs256($$"""{"sub":"alice","exp":{{Now - 5}}}"""))).IsValid);

    [Fact]
    public async Task Token_issued_for_the_future_is_refused() =>
        Assert.Equal(TokenFailure.NotYetValid, (await Validate(Hs256($$"""{"sub":"alice","nbf":{{Now + 600}},"exp":{{Now + 1200}}}"""))).Failure);

    [Fact]
    public async Task Token_signed_with_another_secret_is_forged()
    {
        var token = HandRolled("""{"alg":"HS256","typ":"JWT"}""", $$"""{"sub":"alice","exp":{{Now + 600}}}""", secret: "another-secret-that-is-long-enough-32");
        Assert.Equal(TokenFailure.BadSignature, (await Validate(token)).Failure);
    }

    [Fact]
    public async Task Token_with_a_tampered_payload_is_forged()
    {
        var parts = Hs256($$"""{"sub":"alice","exp":{{Now + 600}}}""").Split('.');
        var tampered = parts[0] + "." + B64($$"""{"sub":"admin","exp":{{Now + 600}}}""") + "." + parts[2];
        Assert.Equal(TokenFailure.BadSignature, (await Validate(tampered)).Failure);
    }

    [Fact]
    public async Task Unsigned_alg_none_token_is_refused()
    {
        var token = HandRolled("""{"alg":"none","typ":"JWT"}""", $$"""{"sub":"alice","exp":{{Now + 600}}}""", alg: null);
        var outcome = await Validate(token);
        Assert.False(outcome.IsValid);
        Assert.Contains(outcome.Failure, new[] { TokenFailure.BadSignature, TokenFailure.BadAlgorithm });
    }

    [Fact]
    public async Task RS256_header_is_refused_even_with_a_valid_hmac()
    {
        var token = HandRolled("""{"alg":"RS256","typ":"JWT"}""", $$"""{"sub":"alice","exp":{{Now + 600}}}""");
        var outcome = await Validate(token);
        Assert.False(outcome.IsValid);
        Assert.Contains(outcome.Failure, new[] { TokenFailure.BadSignature, TokenFailure.BadAlgorithm });
    }

    [Fact]
    public async Task HS512_is_refused_because_only_HS256_is_allowed()
    {
        var token = HandRolled("""{"alg":"HS512","typ":"JWT"}""", $$"""{"sub":"alice","exp":{{Now + 600}}}""", alg: "HS512");
        Assert.Contains((await Validate(token)).Failure, new[] { TokenFailure.BadSignature, TokenFailure.BadAlgorithm });
    }

    [Fact]
    public async Task Missing_sub_is_refused() =>
        Assert.Equal(TokenFailure.BadSubject, (await Validate(Hs256($$"""{"exp":{{Now + 600}}}"""))).Failure);

    [Theory]
    [InlineData("\"al ice\"")]
    [InlineData("\"\"")]
    [InlineData("\"中文\"")]
    [InlineData("42")]
    public async Task Sub_that_is_not_a_valid_user_id_is_refused(string sub) =>
        Assert.Equal(TokenFailure.BadSubject, (await Validate(Hs256($$"""{"sub":{{sub}},"exp":{{Now + 600}}}"""))).Failure);

    [Fact]
    public async Task Missing_exp_is_refused() =>
        Assert.Equal(TokenFailure.NoExpiration, (await Validate(Hs256("""{"sub":"alice"}"""))).Failure);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task Missing_token_is_refused(string? token) =>
        Assert.Equal(TokenFailure.Missing, (await Validate(token)).Failure);

    [Theory]
    [InlineData("abc")]
    [InlineData("a.b.c")]
    [InlineData("Bearer x.y.z")]
    public async Task Garbage_is_malformed(string token) =>
        Assert.Equal(TokenFailure.Malformed, (await Validate(token)).Failure);

    [Fact]
    public async Task Oversized_token_is_malformed() =>
        Assert.Equal(TokenFailure.Malformed, (await Validate(new string('a', TokenValidator.MaxTokenLength + 1))).Failure);

    [Fact]
    public async Task Issuer_and_audience_are_checked_only_when_configured()
    {
        var token = TokenIssuer.Create(Secret, "alice", TimeSpan.FromMinutes(5), issuer: "app", audience: "chat");
        Assert.True((await new TokenValidator(Secret).ValidateAsync(token)).IsValid);
        Assert.True((await new TokenValidator(Secret, issuer: "app", audience: "chat").ValidateAsync(token)).IsValid);
        Assert.Equal(TokenFailure.BadIssuer, (await new TokenValidator(Secret, issuer: "other").ValidateAsync(token)).Failure);
        Assert.Equal(TokenFailure.BadAudience, (await new TokenValidator(Secret, audience: "other").ValidateAsync(token)).Failure);
    }

    [Fact]
    public void Secret_shorter_than_32_bytes_is_a_configuration_error()
    {
        Assert.False(AuthSecret.IsValid("too-short", out var problem));
        Assert.Contains("32", problem, StringComparison.Ordinal);
        Assert.False(AuthSecret.IsValid(null, out _));
        Assert.True(AuthSecret.IsValid(new string('s', 32), out _));
        Assert.Throws<ArgumentException>(() => new TokenValidator("too-short"));
        Assert.Throws<ArgumentException>(() => TokenIssuer.Create("too-short", "alice", TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void Issuer_refuses_an_invalid_user_id() =>
        Assert.Throws<ArgumentException>(() => TokenIssuer.Create(Secret, "al ice", TimeSpan.FromMinutes(1)));
}
