using PipeChat.Server.Tests.Chat;
using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Api;

/// <summary>How API request bodies are framed on the wire: Content-Length only, bounded, in any number of pieces.</summary>
public sealed class ApiFramingTests
{
    [Fact]
    public async Task Body_arriving_byte_by_byte_is_read_whole()
    {
        await using var server = await TestServer.StartAsync(ApiClient.ServerArgs);
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");
        var body = ApiClient.Bytes("""{"id":"bob","from":"x","data":{"text":"slow 慢"}}""");
        var pieces = new List<byte[]> { ApiClient.Bytes(ApiClient.Head("/api/notice", $"Content-Length: {body.Length}\r\n")) };
        pieces.AddRange(body.Select(b => new[] { b }));

        var answer = await ApiClient.RawAsync(server.Port, [.. pieces]);

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", answer, StringComparison.Ordinal);
        Assert.EndsWith("""{"online":true}""", answer, StringComparison.Ordinal);
        Assert.Equal("slow 慢", (await bob.ExpectAsync(Messages.OfType("notice"))).Data.Str("text"));
    }

    [Fact]
    public async Task Head_and_body_in_one_packet_work()
    {
        await using var server = await TestServer.StartAsync(ApiClient.ServerArgs);
        const string body = """{"roomid":"r1","from":"x","data":1}""";

        var answer = await ApiClient.RawAsync(server.Port, ApiClient.Bytes(ApiClient.Head("/api/publish", $"Content-Length: {body.Length}\r\n") + body));

        Assert.EndsWith("""{"seq":1}""", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chunked_body_is_refused_with_411()
    {
        await using var server = await TestServer.StartAsync(ApiClient.ServerArgs);

        var answer = await ApiClient.RawAsync(server.Port, ApiClient.Bytes(ApiClient.Head("/api/publish", "Transfer-Encoding: chunked\r\n") + "5\r\n{\"a\":\r\n0\r\n\r\n"));

        Assert.StartsWith("HTTP/1.1 411 Length Required\r\n", answer, StringComparison.Ordinal);
        Assert.Contains("\"code\":\"length_required\"", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_without_content_length_is_refused_with_411()
    {
        await using var server = await TestServer.StartAsync(ApiClient.ServerArgs);

        var answer = await ApiClient.RawAsync(server.Port, ApiClient.Bytes(ApiClient.Head("/api/publish", "")));

        Assert.StartsWith("HTTP/1.1 411 Length Required\r\n", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Declared_oversized_body_is_refused_with_413_before_it_is_sent()
    {
        await using var server = await TestServer.StartAsync(ApiClient.ServerArgs);

        // Only the head: the answer comes without waiting for the 10 MB.
        var answer = await ApiClient.RawAsync(server.Port, ApiClient.Bytes(ApiClient.Head("/api/publish", "Content-Length: 10000000\r\n")));

        Assert.StartsWith("HTTP/1.1 413 Content Too Large\r\n", answer, StringComparison.Ordinal);
        Assert.Contains("\"code\":\"too_large\"", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_or_conflicting_content_length_is_400()
    {
        await using var server = await TestServer.StartAsync(ApiClient.ServerArgs);

        var bad = await ApiClient.RawAsync(server.Port, ApiClient.Bytes(ApiClient.Head("/api/publish", "Content-Length: 1e3\r\n")));
        var conflicting = await ApiClient.RawAsync(server.Port, ApiClient.Bytes(ApiClient.Head("/api/publish", "Content-Length: 2\r\nContent-Length: 3\r\n") + "{}"));

        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", bad, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", conflicting, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_outside_the_api_and_a_post_upgrade_stay_405()
    {
        await using var server = await TestServer.StartAsync(ApiClient.ServerArgs);

        var health = await ApiClient.RawAsync(server.Port, ApiClient.Bytes("POST /healthz HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}"));
        var upgrade = await ApiClient.RawAsync(server.Port, ApiClient.Bytes(
            "POST /alice HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n"));

        Assert.StartsWith("HTTP/1.1 405 Method Not Allowed\r\n", health, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 405 Method Not Allowed\r\n", upgrade, StringComparison.Ordinal);
    }
}
