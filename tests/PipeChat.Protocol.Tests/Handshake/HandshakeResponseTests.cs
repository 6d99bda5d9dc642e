using System.Buffers;
using System.Text;
using PipeChat.Protocol.Handshake;

namespace PipeChat.Protocol.Tests.Handshake;

public class HandshakeResponseTests
{
    [Theory]
    [InlineData("dGhlIHNhbXBsZSBub25jZQ==", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")] // RFC 6455 §4.2.2
    [InlineData("x3JJHMbDL1EzLkh9GBhXDw==", "HSmrc0sMlYUkAGmm5OPpG2HaGWk=")] // RFC 6455 §1.3
    public void Accept_key_matches_the_rfc_examples(string key, string accept)
    {
        var destination = new byte[HandshakeResponse.AcceptKeyLength];

        HandshakeResponse.ComputeAcceptKey(Encoding.ASCII.GetBytes(key), destination);

        Assert.Equal(accept, Encoding.ASCII.GetString(destination));
    }

    [Fact]
    public void Accept_key_of_an_unusually_long_key_is_still_computed()
    {
        var key = Encoding.ASCII.GetBytes(new string('k', 300));
        var destination = new byte[HandshakeResponse.AcceptKeyLength];

        HandshakeResponse.ComputeAcceptKey(key, destination);

        var expected = Convert.ToBase64String(System.Security.Cryptography.SHA1.HashData(
            Encoding.ASCII.GetBytes(new string('k', 300) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        Assert.Equal(expected, Encoding.ASCII.GetString(destination));
    }

    [Fact]
    public void Switching_protocols_response_is_exact()
    {
        var output = new ArrayBufferWriter<byte>();

        HandshakeResponse.WriteSwitchingProtocols(output, "dGhlIHNhbXBsZSBub25jZQ=="u8, default);

        Assert.Equal(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
            Encoding.ASCII.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Switching_protocols_response_names_the_chosen_subprotocol_and_no_extension()
    {
        var output = new ArrayBufferWriter<byte>();

        HandshakeResponse.WriteSwitchingProtocols(output, "dGhlIHNhbXBsZSBub25jZQ=="u8, "pipechat.v1"u8);

        Assert.Equal(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: pipechat.v1\r\n\r\n",
            Encoding.ASCII.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Error_response_is_exact()
    {
        var output = new ArrayBufferWriter<byte>();

        HandshakeResponse.WriteError(output, new HandshakeError(400, "missing Host header"));

        Assert.Equal(
            "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 20\r\n" +
            "Connection: close\r\n\r\nmissing Host header\n",
            Encoding.ASCII.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Method_not_allowed_adds_allow_get()
    {
        var output = new ArrayBufferWriter<byte>();

        HandshakeResponse.WriteError(output, new HandshakeError(405, "method POST not allowed, use GET"));

        Assert.Equal(
            "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 33\r\n" +
            "Connection: close\r\nAllow: GET\r\n\r\nmethod POST not allowed, use GET\n",
            Encoding.ASCII.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Upgrade_required_adds_the_supported_version()
    {
        var output = new ArrayBufferWriter<byte>();

        HandshakeResponse.WriteError(output, new HandshakeError(426, "Sec-WebSocket-Version must be 13"));

        Assert.Equal(
            "HTTP/1.1 426 Upgrade Required\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 33\r\n" +
            "Connection: close\r\nSec-WebSocket-Version: 13\r\n\r\nSec-WebSocket-Version must be 13\n",
            Encoding.ASCII.GetString(output.WrittenSpan));
    }

    [Theory]
    [InlineData(431, "HTTP/1.1 431 Request Header Fields Too Large\r\n")]
    [InlineData(505, "HTTP/1.1 505 HTTP Version Not Supported\r\n")]
    public void Error_status_lines_use_the_standard_reason_phrase(int status, string statusLine)
    {
        var output = new ArrayBufferWriter<byte>();

        HandshakeResponse.WriteError(output, new HandshakeError(status, "x"));

        Assert.StartsWith(statusLine, Encoding.ASCII.GetString(output.WrittenSpan), StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_response_is_exact()
    {
        var output = new ArrayBufferWriter<byte>();

        HandshakeResponse.WriteResponse(output, 200, "text/plain; charset=utf-8"u8, "ok\n"u8);

        Assert.Equal(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n",
            Encoding.ASCII.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Plain_response_with_a_large_body_writes_it_all()
    {
        var output = new ArrayBufferWriter<byte>(16);
        var body = new byte[100_000];
        Array.Fill(body, (byte)'x');

        HandshakeResponse.WriteResponse(output, 404, "text/html"u8, body);

        var head = "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n";
        Assert.Equal(head, Encoding.ASCII.GetString(output.WrittenSpan[..head.Length]));
        Assert.True(output.WrittenSpan[head.Length..].SequenceEqual(body));
    }

    [Fact]
    public void Plain_response_without_content_type_or_body_has_content_length_zero()
    {
        var output = new ArrayBufferWriter<byte>();

        HandshakeResponse.WriteResponse(output, 204, default, default);

        Assert.Equal("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", Encoding.ASCII.GetString(output.WrittenSpan));
    }
}
