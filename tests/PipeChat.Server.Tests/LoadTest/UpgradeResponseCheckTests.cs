using System.Security.Cryptography;
using System.Text;
using PipeChat.LoadTest.Client;

namespace PipeChat.Server.Tests.LoadTest;

/// <summary>The load tool validates every server's upgrade answer as RFC 6455 §4.1 asks a client to.</summary>
public sealed class UpgradeResponseCheckTests
{
    private const string Key = "dGhlIHNhbXBsZSBub25jZQ==";

    private static readonly string s_accept = Convert.ToBase64String(
        SHA1.HashData(Encoding.ASCII.GetBytes(Key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));

    private static string? Check(string head, bool deflate = false)
        => LoadConnection.CheckUpgradeResponse(Encoding.ASCII.GetBytes(head), Encoding.ASCII.GetBytes(s_accept), deflate);

    [Fact]
    public void The_rfc_example_accept_value_is_the_one_checked() => Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", s_accept);

    [Theory]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {0}")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nupgrade: WebSocket\r\nconnection: keep-alive, upgrade\r\nsec-websocket-accept:{0}")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept:   {0}  \r\nConnection: Upgrade\r\nDate: x\r\nUpgrade: websocket")]
    public void A_valid_answer_passes_whatever_the_header_case_order_and_spacing(string head)
        => Assert.Null(Check(string.Format(System.Globalization.CultureInfo.InvariantCulture, head, s_accept)));

    [Fact]
    public void A_refusal_reports_its_status() => Assert.Equal("handshake:http_403", Check("HTTP/1.1 403 Forbidden\r\nContent-Length: 0"));

    [Fact]
    public void A_wrong_accept_value_fails_and_its_case_matters()
    {
        var head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ";
        Assert.Equal("handshake:bad_accept", Check(head + s_accept.ToLowerInvariant()));
        Assert.Equal("handshake:bad_accept", Check(head + s_accept[..^1]));
        Assert.Equal("handshake:bad_accept", Check("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade"));
    }

    [Theory]
    [InlineData("Connection: Upgrade")]
    [InlineData("Upgrade: websocket")]
    [InlineData("Upgrade: h2c\r\nConnection: Upgrade")]
    [InlineData("Upgrade: websocket\r\nConnection: keep-alive")]
    public void Missing_upgrade_headers_fail(string headers)
        => Assert.Equal("handshake:bad_upgrade", Check($"HTTP/1.1 101 Switching Protocols\r\n{headers}\r\nSec-WebSocket-Accept: {s_accept}"));

    [Fact]
    public void Offered_deflate_must_be_accepted()
    {
        var head = $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {s_accept}";
        Assert.Equal("handshake:deflate_declined", Check(head, deflate: true));
        Assert.Null(Check(head + "\r\nSec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover", deflate: true));
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("HTTP/1.0 101 Switching Protocols")]
    public void A_malformed_status_line_fails(string head) => Assert.Equal("handshake:http_???", Check(head));

    [Fact]
    public void A_header_line_without_a_colon_fails()
        => Assert.Equal("handshake:bad_header", Check($"HTTP/1.1 101 Switching Protocols\r\nUpgrade websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {s_accept}"));

    [Fact]
    public void Receive_buffers_are_disjoint_slices_of_shared_slabs()
    {
        var taken = new List<(byte[] Array, int Offset)>();
        for (var i = 0; i < ReceiveSlabs.BuffersPerSlab + 3; i++)
        {
            taken.Add(ReceiveSlabs.Rent(1000));
        }

        foreach (var group in taken.GroupBy(t => t.Array))
        {
            var offsets = group.Select(t => t.Offset).Order().ToArray();
            Assert.All(offsets, o => Assert.True(o + 1000 <= group.Key.Length));
            Assert.Equal(offsets.Length, offsets.Distinct().Count());
            Assert.All(offsets.Zip(offsets.Skip(1)), pair => Assert.True(pair.Second - pair.First >= 1000));
        }

        var (own, offset) = ReceiveSlabs.Rent(ReceiveSlabs.MaxSlabbedBufferBytes);
        Assert.Equal(0, offset);
        Assert.Equal(ReceiveSlabs.MaxSlabbedBufferBytes, own.Length);
    }
}
