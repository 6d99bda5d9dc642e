using System.Buffers;
using System.Text;
using PipeChat.Protocol.Framing;
using PipeChat.Protocol.Handshake;
using PipeChat.Protocol.Tests.Support;

namespace PipeChat.Protocol.Tests.Handshake;

/// <summary>POST heads (the server API) when the caller allows bodies, fed in every shape.</summary>
public class PostRequestParserTests
{
    private sealed record PostOutcome(ParseStatus Status, int ErrorStatus, string? Reason, string Method, bool IsPost, long ContentLength, bool HasTransferEncoding, long End, string Path, bool UpgradeValid, int UpgradeStatus);

    [Fact]
    public void Post_with_content_length_exposes_method_length_and_where_the_body_starts()
    {
        const string head = "POST /api/publish HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer k\r\nContent-Length: 27\r\n\r\n";
        var outcome = EveryShape(head + """{"roomid":"r","data":1,"x"}""", allowBody: true);

        Assert.Equal(ParseStatus.Done, outcome.Status);
        Assert.Equal(("POST", true, 27L, false), (outcome.Method, outcome.IsPost, outcome.ContentLength, outcome.HasTransferEncoding));
        Assert.Equal(head.Length, outcome.End);
        Assert.Equal("/api/publish", outcome.Path);
    }

    [Fact]
    public void A_post_is_never_a_valid_upgrade()
    {
        var outcome = EveryShape("POST /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n", allowBody: true);

        Assert.Equal(ParseStatus.Done, outcome.Status);
        Assert.False(outcome.UpgradeValid);
        Assert.Equal(405, outcome.UpgradeStatus);
    }

    [Fact]
    public void Without_a_length_content_length_is_minus_one_and_transfer_encoding_is_reported()
    {
        var none = EveryShape("POST /api/x HTTP/1.1\r\nHost: a\r\n\r\n", allowBody: true);
        var chunked = EveryShape("POST /api/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", allowBody: true);

        Assert.Equal((ParseStatus.Done, -1L, false), (none.Status, none.ContentLength, none.HasTransferEncoding));
        Assert.Equal((ParseStatus.Done, -1L, true), (chunked.Status, chunked.ContentLength, chunked.HasTransferEncoding));
    }

    [Theory]
    [InlineData("Content-Length: 12\r\nContent-Length: 12\r\n", 12)]
    [InlineData("Content-Length: 0\r\n", 0)]
    [InlineData("content-length:  000042 \r\n", 42)]
    [InlineData("Content-Length: 999999999999999999\r\n", 999_999_999_999_999_999)]
    public void Content_length_values_accepted(string header, long expected)
    {
        var outcome = EveryShape($"POST /api/x HTTP/1.1\r\nHost: a\r\n{header}\r\n", allowBody: true);

        Assert.Equal(ParseStatus.Done, outcome.Status);
        Assert.Equal(expected, outcome.ContentLength);
    }

    [Theory]
    [InlineData("Content-Length: -1\r\n", "Content-Length must be a decimal number of bytes")]
    [InlineData("Content-Length: 1e3\r\n", "Content-Length must be a decimal number of bytes")]
    [InlineData("Content-Length:\r\n", "Content-Length must be a decimal number of bytes")]
    [InlineData("Content-Length: 5, 5\r\n", "Content-Length must be a decimal number of bytes")]
    [InlineData("Content-Length: 1000000000000000000\r\n", "Content-Length must be a decimal number of bytes")]
    [InlineData("Content-Length: 2\r\nContent-Length: 3\r\n", "conflicting Content-Length headers")]
    public void Bad_content_length_is_400(string header, string reason)
    {
        var outcome = EveryShape($"POST /api/x HTTP/1.1\r\nHost: a\r\n{header}\r\n", allowBody: true);

        Assert.Equal((ParseStatus.Invalid, 400, reason), (outcome.Status, outcome.ErrorStatus, outcome.Reason));
    }

    [Theory]
    [InlineData("Content-Length: 5\r\n")]
    [InlineData("Transfer-Encoding: chunked\r\n")]
    public void A_get_still_may_not_carry_a_body_when_bodies_are_allowed(string header)
    {
        var outcome = EveryShape($"GET /api/stats HTTP/1.1\r\nHost: a\r\n{header}\r\n", allowBody: true);

        Assert.Equal((ParseStatus.Invalid, 400, "a GET request must not have a body"), (outcome.Status, outcome.ErrorStatus, outcome.Reason));
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    public void Other_methods_stay_405_when_bodies_are_allowed(string method)
    {
        var outcome = EveryShape($"{method} /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", allowBody: true);

        Assert.Equal((ParseStatus.Invalid, 405), (outcome.Status, outcome.ErrorStatus));
    }

    [Fact]
    public void Without_allowing_bodies_a_post_is_405_as_before()
    {
        var outcome = EveryShape("POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}", allowBody: false);

        Assert.Equal((ParseStatus.Invalid, 405, "method POST not allowed, use GET"), (outcome.Status, outcome.ErrorStatus, outcome.Reason));
    }

    [Fact]
    public void Every_strict_prefix_of_a_post_head_needs_more_data()
    {
        var bytes = Encoding.ASCII.GetBytes("POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n");
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Equal(ParseStatus.NeedMoreData, EveryShape(bytes[..length], allowBody: true).Status);
        }
    }

    private static PostOutcome EveryShape(string text, bool allowBody) => EveryShape(Encoding.UTF8.GetBytes(text), allowBody);

    private static PostOutcome EveryShape(byte[] input, bool allowBody)
    {
        PostOutcome? expected = null;
        foreach (var (shape, sequence) in SequenceSplits.All(input))
        {
            var outcome = Once(sequence, allowBody);
            expected ??= outcome;
            Assert.True(expected == outcome, $"{shape}: {outcome} differs from whole: {expected}");
        }

        return expected ?? Once(ReadOnlySequence<byte>.Empty, allowBody);
    }

    private static PostOutcome Once(in ReadOnlySequence<byte> input, bool allowBody)
    {
        var scratch = new byte[HandshakeParser.DefaultMaxRequestBytes];
        var status = HandshakeParser.TryParse(input, HandshakeParser.DefaultMaxRequestBytes, scratch, allowBody, out var request, out var end, out var error);
        if (status != ParseStatus.Done)
        {
            return new PostOutcome(status, error.StatusCode, error.Reason, "", false, 0, false, -1, "", false, 0);
        }

        var valid = request.TryValidateUpgrade(out var upgradeError);
        return new PostOutcome(status, 0, null, Encoding.ASCII.GetString(request.Method), request.IsPost, request.ContentLength, request.HasTransferEncoding,
            input.Slice(input.Start, end).Length, Encoding.ASCII.GetString(request.Path), valid, upgradeError.StatusCode);
    }
}
