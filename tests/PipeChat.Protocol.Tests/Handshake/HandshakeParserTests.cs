using System.Buffers;
using System.Text;
using PipeChat.Protocol.Framing;
using PipeChat.Protocol.Handshake;
using PipeChat.Protocol.Tests.Support;
using static PipeChat.Protocol.Tests.Handshake.HandshakeParse;

namespace PipeChat.Protocol.Tests.Handshake;

public class HandshakeParserTests
{
    public static TheoryData<string, string> RealClients => new()
    {
        { "chrome", ClientRequests.Chrome },
        { "firefox", ClientRequests.Firefox },
        { "dotnet", ClientRequests.DotNetClientWebSocket },
        { "node-ws", ClientRequests.NodeWs },
        { "python-websockets", ClientRequests.PythonWebsockets },
    };

    [Theory]
    [MemberData(nameof(RealClients))]
    public void Real_client_upgrade_requests_parse_and_validate_in_every_shape(string client, string text)
    {
        var outcome = EveryShape(text);

        Assert.Equal(ParseStatus.Done, outcome.Status);
        Assert.True(outcome.UpgradeValid, $"{client}: {outcome.UpgradeError}");
        Assert.True(outcome.IsWebSocketUpgrade);
        Assert.Equal(text.Length, outcome.Length);
        Assert.Equal(text.Length, outcome.End);
        Assert.StartsWith("/", outcome.Path, StringComparison.Ordinal);
        Assert.Equal(24, outcome.Key.Length);
    }

    [Fact]
    public void Chrome_request_exposes_path_query_host_origin_key_and_extensions()
    {
        var outcome = EveryShape(ClientRequests.Chrome);

        Assert.Equal("/chat", outcome.Path);
        Assert.Equal("room=lobby&token=a%20b", outcome.Query);
        Assert.Equal("chat.example.com", outcome.Host);
        Assert.Equal("https://chat.example.com", outcome.Origin);
        Assert.Equal("dGhlIHNhbXBsZSBub25jZQ==", outcome.Key);
        Assert.True(outcome.HasExtensions);
    }

    [Fact]
    public void Request_without_query_has_empty_query_and_no_extensions()
    {
        var outcome = EveryShape(ClientRequests.DotNetClientWebSocket);

        Assert.Equal("/ws", outcome.Path);
        Assert.Equal("", outcome.Query);
        Assert.Equal("", outcome.Origin);
        Assert.False(outcome.HasExtensions);
    }

    [Fact]
    public void End_is_just_after_the_head_when_more_bytes_follow()
    {
        var head = ClientRequests.NodeWs;
        var outcome = EveryShape(head + "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58");

        Assert.Equal(ParseStatus.Done, outcome.Status);
        Assert.Equal(head.Length, outcome.End);
        Assert.Equal(head.Length, outcome.Length);
    }

    [Fact]
    public void Every_strict_prefix_of_a_valid_request_needs_more_data()
    {
        var bytes = Bytes(ClientRequests.DotNetClientWebSocket);
        for (var length = 0; length < bytes.Length; length++)
        {
            var outcome = EveryShape(bytes[..length]);
            Assert.True(outcome.Status == ParseStatus.NeedMoreData, $"prefix of {length} bytes: {outcome}");
        }
    }

    [Theory]
    [MemberData(nameof(RealClients))]
    public void Every_strict_prefix_of_a_real_request_needs_more_data_whole_and_byte_per_segment(string client, string text)
    {
        var bytes = Bytes(text);
        for (var length = 0; length < bytes.Length; length++)
        {
            var prefix = bytes[..length];
            Assert.Equal(ParseStatus.NeedMoreData, Once(new ReadOnlySequence<byte>(prefix), 8192).Status);
            Assert.True(
                Once(SequenceSplits.OneBytePerSegment(prefix), 8192).Status == ParseStatus.NeedMoreData,
                $"{client}: prefix of {length} bytes, one byte per segment");
        }
    }

    [Fact]
    public void Connection_keep_alive_comma_upgrade_passes()
    {
        var outcome = EveryShape(ClientRequests.Minimal(
            "Host: a\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"));

        Assert.True(outcome.UpgradeValid, outcome.UpgradeError.ToString());
    }

    [Fact]
    public void Connection_tokens_on_separate_header_lines_count_together()
    {
        var outcome = EveryShape(ClientRequests.Minimal(
            "Host: a\r\nConnection: keep-alive\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"));

        Assert.True(outcome.UpgradeValid, outcome.UpgradeError.ToString());
    }

    [Fact]
    public void Header_names_and_upgrade_tokens_are_case_insensitive()
    {
        var outcome = EveryShape(ClientRequests.Minimal(
            "HOST: a\r\nupgrade: WebSocket\r\nCONNECTION: UPGRADE\r\nsec-websocket-version: 13\r\nSEC-WEBSOCKET-KEY: dGhlIHNhbXBsZSBub25jZQ==\r\norigin: http://o\r\n"));

        Assert.True(outcome.UpgradeValid, outcome.UpgradeError.ToString());
        Assert.Equal("a", outcome.Host);
        Assert.Equal("http://o", outcome.Origin);
        Assert.Equal("dGhlIHNhbXBsZSBub25jZQ==", outcome.Key);
    }

    [Fact]
    public void Header_values_are_trimmed_of_optional_whitespace()
    {
        var outcome = EveryShape(ClientRequests.Minimal(
            "Host:  \t example.com \t \r\nUpgrade:websocket\r\nConnection:\tUpgrade\r\nSec-WebSocket-Version: 13 \r\nSec-WebSocket-Key:   dGhlIHNhbXBsZSBub25jZQ==\t\r\nX-Empty:\r\nX-Blank:   \r\n"));

        Assert.Equal(ParseStatus.Done, outcome.Status);
        Assert.Equal("example.com", outcome.Host);
        Assert.True(outcome.UpgradeValid, outcome.UpgradeError.ToString());
    }

    [Fact]
    public void Plain_get_parses_and_is_not_an_upgrade()
    {
        var outcome = EveryShape("GET /healthz HTTP/1.1\r\nHost: localhost\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n");

        Assert.Equal(ParseStatus.Done, outcome.Status);
        Assert.Equal("/healthz", outcome.Path);
        Assert.False(outcome.IsWebSocketUpgrade);
        Assert.Equal(new HandshakeError(400, "Upgrade header must include websocket"), outcome.UpgradeError);
    }

    [Fact]
    public void Content_length_zero_is_allowed_on_a_get()
    {
        Assert.Equal(ParseStatus.Done, EveryShape("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n").Status);
    }

    [Theory]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\n\r\n", "POST")]
    [InlineData("PUT / HTTP/1.1\r\nHost: a\r\n\r\n", "PUT")]
    [InlineData("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n", "HEAD")]
    [InlineData("OPTIONS / HTTP/1.1\r\nHost: a\r\n\r\n", "OPTIONS")]
    public void Other_methods_are_405_naming_the_method(string request, string method)
    {
        var outcome = EveryShape(request);

        Assert.Equal(ParseStatus.Invalid, outcome.Status);
        Assert.Equal(405, outcome.Error.StatusCode);
        Assert.Contains(method, outcome.Error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_method_token_is_405()
    {
        var outcome = EveryShape("BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n");

        Assert.Equal(405, outcome.Error.StatusCode);
        Assert.False(string.IsNullOrEmpty(outcome.Error.Reason));
    }

    [Theory]
    [InlineData("GET / HTTP/1.0\r\nHost: a\r\n\r\n")]
    [InlineData("GET / HTTP/2.0\r\nHost: a\r\n\r\n")]
    [InlineData("GET / HTTP/1.2\r\nHost: a\r\n\r\n")]
    public void Other_http_versions_are_505(string request)
    {
        var outcome = EveryShape(request);

        Assert.Equal(ParseStatus.Invalid, outcome.Status);
        Assert.Equal(new HandshakeError(505, "only HTTP/1.1 is supported"), outcome.Error);
    }

    [Theory]
    [InlineData("hello\r\n\r\n")]
    [InlineData("\r\n\r\n")]
    [InlineData("GET\r\nHost: a\r\n\r\n")]
    [InlineData("GET /\r\nHost: a\r\n\r\n")]
    [InlineData("GET / http/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET / HTTP/1.1 \r\nHost: a\r\n\r\n")]
    [InlineData("GET / HTTP/11\r\nHost: a\r\n\r\n")]
    [InlineData("GET  / HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData(" GET / HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET chat HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET http://a/chat HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET * HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /a\u0001b HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /a\u007fb HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /caf\u00e9 HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("G(T / HTTP/1.1\r\nHost: a\r\n\r\n")]
    public void Malformed_request_lines_are_400(string request)
    {
        var outcome = EveryShape(request);

        Assert.Equal(ParseStatus.Invalid, outcome.Status);
        Assert.Equal(400, outcome.Error.StatusCode);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\nHost: a\n\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\n")]
    [InlineData("GET / HTTP/1.1\n")]
    public void Bare_line_feeds_are_400_without_waiting_for_more_data(string request)
    {
        var outcome = EveryShape(request);

        Assert.Equal(new HandshakeError(400, "line endings must be CRLF"), outcome.Error);
    }

    [Theory]
    [InlineData("Host: a\r\nX-Long: one\r\n two\r\n", "obsolete header line folding is not allowed")]
    [InlineData("Host: a\r\nX-Long: one\r\n\ttwo\r\n", "obsolete header line folding is not allowed")]
    [InlineData("Host : a\r\n", "invalid header name")]
    [InlineData("Host\t: a\r\n", "invalid header name")]
    [InlineData(": a\r\n", "invalid header name")]
    [InlineData("X(y): a\r\n", "invalid header name")]
    [InlineData("Host a\r\n", "malformed header line")]
    [InlineData("Host: a\u0001b\r\n", "invalid header value")]
    [InlineData("Host: a\rb\r\n", "invalid header value")]
    [InlineData("Host: a\r\nHost: b\r\n", "duplicate Host header")]
    [InlineData("Host: a\r\nhOsT: a\r\n", "duplicate Host header")]
    [InlineData("Host: a\r\nContent-Length: 5\r\n", "a GET request must not have a body")]
    [InlineData("Host: a\r\nContent-Length:\r\n", "a GET request must not have a body")]
    [InlineData("Host: a\r\nContent-Length: -0\r\n", "a GET request must not have a body")]
    [InlineData("Host: a\r\nTransfer-Encoding: chunked\r\n", "a GET request must not have a body")]
    [InlineData("Host: a\r\ntransfer-encoding: identity\r\n", "a GET request must not have a body")]
    public void Malformed_header_lines_are_400(string headers, string reason)
    {
        var outcome = EveryShape("GET / HTTP/1.1\r\n" + headers + "\r\n");

        Assert.Equal(new HandshakeError(400, reason), outcome.Error);
    }

    [Fact]
    public void Sixty_four_headers_parse_and_sixty_five_are_431()
    {
        var headers = new StringBuilder();
        for (var i = 0; i < HeaderTable.Capacity; i++)
        {
            headers.Append("X-H").Append(i).Append(": v\r\n");
        }

        var atCapacity = "GET / HTTP/1.1\r\n" + headers + "\r\n";
        var overCapacity = "GET / HTTP/1.1\r\n" + headers + "X-One-More: v\r\n\r\n";

        Assert.Equal(ParseStatus.Done, EveryShape(atCapacity).Status);
        Assert.Equal(new HandshakeError(431, "too many headers"), EveryShape(overCapacity).Error);
    }

    [Fact]
    public void Head_of_exactly_the_limit_parses_and_one_byte_less_limit_is_431()
    {
        var request = Bytes(ClientRequests.Minimal("Host: a\r\nX-Pad: " + new string('p', 100) + "\r\n"));
        var size = request.Length;

        Assert.Equal(ParseStatus.Done, EveryShape(request, size + 1).Status);
        Assert.Equal(ParseStatus.Done, EveryShape(request, size).Status);
        Assert.Equal(new HandshakeError(431, "request header too large"), EveryShape(request, size - 1).Error);
    }

    [Fact]
    public void Incomplete_head_needs_more_data_below_the_limit_and_is_431_at_and_past_it()
    {
        const int Limit = 200;
        var endless = Bytes("GET / HTTP/1.1\r\nHost: a\r\nX-Pad: " + new string('p', 300));

        Assert.Equal(ParseStatus.NeedMoreData, EveryShape(endless[..(Limit - 1)], Limit).Status);
        Assert.Equal(new HandshakeError(431, "request header too large"), EveryShape(endless[..Limit], Limit).Error);
        Assert.Equal(new HandshakeError(431, "request header too large"), EveryShape(endless[..(Limit + 1)], Limit).Error);
    }

    [Fact]
    public void Spans_point_into_scratch_when_the_head_spans_segments()
    {
        var bytes = Bytes(ClientRequests.NodeWs);
        var scratch = new byte[HandshakeParser.DefaultMaxRequestBytes];
        var input = SequenceSplits.FromSegments(bytes.AsMemory(0, 10), bytes.AsMemory(10));

        var status = HandshakeParser.TryParse(input, scratch.Length, scratch, out var request, out _, out _);

        Assert.Equal(ParseStatus.Done, status);
        Assert.True(request.Host.Overlaps(scratch));
        Assert.Equal("127.0.0.1:8080", Latin1(request.Host));
    }

    [Fact]
    public void Spans_point_into_the_input_when_the_head_is_in_one_segment()
    {
        var bytes = Bytes(ClientRequests.NodeWs);
        var scratch = new byte[HandshakeParser.DefaultMaxRequestBytes];

        var status = HandshakeParser.TryParse(new ReadOnlySequence<byte>(bytes), scratch.Length, scratch, out var request, out _, out _);

        Assert.Equal(ParseStatus.Done, status);
        Assert.True(request.Host.Overlaps(bytes));
    }

    [Fact]
    public void Scratch_smaller_than_the_gathered_bytes_is_a_caller_error()
    {
        var bytes = Bytes(ClientRequests.NodeWs);
        var input = SequenceSplits.FromSegments(bytes.AsMemory(0, 10), bytes.AsMemory(10));

        Assert.Throws<ArgumentException>(() => HandshakeParser.TryParse(input, 8192, new byte[16], out _, out _, out _));
    }

    [Fact]
    public void Header_count_counts_every_line()
    {
        EveryShape(ClientRequests.Chrome, check: r => Assert.Equal(12, r.HeaderCount));
    }
}
