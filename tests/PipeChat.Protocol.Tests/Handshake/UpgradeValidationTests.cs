using PipeChat.Protocol.Framing;
using PipeChat.Protocol.Handshake;
using static PipeChat.Protocol.Tests.Handshake.HandshakeParse;

namespace PipeChat.Protocol.Tests.Handshake;

public class UpgradeValidationTests
{
    private const string GoodKey = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

    [Theory]
    [InlineData("Host: a\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" + GoodKey, 400, "Upgrade header must include websocket")]
    [InlineData("Host: a\r\nUpgrade: h2c\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" + GoodKey, 400, "Upgrade header must include websocket")]
    [InlineData("Host: a\r\nUpgrade: websockets\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" + GoodKey, 400, "Upgrade header must include websocket")]
    [InlineData("Host: a\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n" + GoodKey, 400, "Connection header must include Upgrade")]
    [InlineData("Host: a\r\nUpgrade: websocket\r\nConnection: keep-alive\r\nSec-WebSocket-Version: 13\r\n" + GoodKey, 400, "Connection header must include Upgrade")]
    [InlineData("Host: a\r\nUpgrade: websocket\r\nConnection: keep-alive-Upgrade\r\nSec-WebSocket-Version: 13\r\n" + GoodKey, 400, "Connection header must include Upgrade")]
    [InlineData("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" + GoodKey, 400, "missing Host header")]
    [InlineData("Host: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + GoodKey, 426, "Sec-WebSocket-Version must be 13")]
    [InlineData("Host: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 8\r\n" + GoodKey, 426, "Sec-WebSocket-Version must be 13")]
    [InlineData("Host: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13, 8\r\n" + GoodKey, 426, "Sec-WebSocket-Version must be 13")]
    [InlineData("Host: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n", 400, "missing Sec-WebSocket-Key header")]
    [InlineData("Host: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: not base64 at all!!!!!!\r\n", 400, "Sec-WebSocket-Key must be 16 bytes in base64")]
    [InlineData("Host: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n", 400, "Sec-WebSocket-Key must be 16 bytes in base64")]
    [InlineData("Host: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAA\r\n", 400, "Sec-WebSocket-Key must be 16 bytes in base64")]
    [InlineData("Host: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAAAA\r\n", 400, "Sec-WebSocket-Key must be 16 bytes in base64")]
    [InlineData("Host: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key:\r\n", 400, "Sec-WebSocket-Key must be 16 bytes in base64")]
    public void Each_missing_or_wrong_upgrade_header_has_its_status_and_reason(string headers, int status, string reason)
    {
        var outcome = EveryShape(ClientRequests.Minimal(headers));

        Assert.Equal(ParseStatus.Done, outcome.Status);
        Assert.False(outcome.UpgradeValid);
        Assert.Equal(new HandshakeError(status, reason), outcome.UpgradeError);
    }

    [Fact]
    public void Upgrade_token_list_naming_websocket_among_others_passes()
    {
        var outcome = EveryShape(ClientRequests.Minimal(
            "Host: a\r\nUpgrade: foo/2, WEBSOCKET\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" + GoodKey));

        Assert.True(outcome.IsWebSocketUpgrade);
        Assert.True(outcome.UpgradeValid, outcome.UpgradeError.ToString());
    }

    [Fact]
    public void Subprotocols_are_found_across_header_lines_by_exact_match()
    {
        var request = ClientRequests.Minimal(
            "Host: a\r\nSec-WebSocket-Protocol: chat, superchat\r\nSec-WebSocket-Protocol:pipechat.v1\r\n");

        EveryShape(request, check: r =>
        {
            Assert.True(r.OffersSubProtocol("chat"u8));
            Assert.True(r.OffersSubProtocol("superchat"u8));
            Assert.True(r.OffersSubProtocol("pipechat.v1"u8));
            Assert.False(r.OffersSubProtocol("Chat"u8));
            Assert.False(r.OffersSubProtocol("super"u8));
            Assert.False(r.OffersSubProtocol("pipechat"u8));
            Assert.False(r.OffersSubProtocol(""u8));
        });
    }

    [Fact]
    public void No_subprotocol_header_offers_nothing()
    {
        EveryShape(ClientRequests.NodeWs, check: r => Assert.False(r.OffersSubProtocol("chat"u8)));
    }

    [Fact]
    public void Firefox_offers_both_listed_subprotocols()
    {
        EveryShape(ClientRequests.Firefox, check: r =>
        {
            Assert.True(r.OffersSubProtocol("pipechat.v1"u8));
            Assert.True(r.OffersSubProtocol("chat"u8));
        });
    }

    [Fact]
    public void TryGetHeader_is_case_insensitive_and_returns_the_first_trimmed_value()
    {
        EveryShape(ClientRequests.Minimal("Host: a\r\nX-Trace:  one \r\nx-trace: two\r\n"), check: r =>
        {
            Assert.True(r.TryGetHeader("X-TRACE"u8, out var value));
            Assert.Equal("one", Latin1(value));
            Assert.True(r.TryGetHeader("host"u8, out var host));
            Assert.Equal("a", Latin1(host));
            Assert.False(r.TryGetHeader("X-Missing"u8, out _));
        });
    }
}
