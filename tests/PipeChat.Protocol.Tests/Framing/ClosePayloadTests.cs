using PipeChat.Protocol.Framing;

namespace PipeChat.Protocol.Tests.Framing;

public class ClosePayloadTests
{
    [Fact]
    public void IsValidCode_AcceptsExactlyTheWireCodes()
    {
        for (var code = -1; code <= 70_000; code++)
        {
            var expected = code is 1000 or 1001 or 1002 or 1003 or 1007 or 1008 or 1009 or 1010 or 1011 or 1012 or 1013 or 1014
                || (code >= 3000 && code <= 4999);
            Assert.True(expected == ClosePayload.IsValidCode(code), $"code {code}");
        }
    }

    [Fact]
    public void EmptyPayload_IsNoStatusReceived()
    {
        Assert.True(ClosePayload.TryParse([], out var code, out var reason, out var error));
        Assert.Equal(WebSocketCloseCodes.NoStatusReceived, code);
        Assert.True(reason.IsEmpty);
        Assert.Equal(0, error);
    }

    [Fact]
    public void CodeAndReason_AreDecoded()
    {
        Assert.True(ClosePayload.TryParse([0x0B, 0xB8, 0xCE, 0xBA], out var code, out var reason, out _));
        Assert.Equal(3000, code);
        Assert.Equal(new byte[] { 0xCE, 0xBA }, reason.ToArray());
    }

    [Theory]
    [InlineData(new byte[] { 0x03 }, WebSocketCloseCodes.ProtocolError)]
    [InlineData(new byte[] { 0x03, 0xED }, WebSocketCloseCodes.ProtocolError)] // 1005
    [InlineData(new byte[] { 0x03, 0xE7 }, WebSocketCloseCodes.ProtocolError)] // 999
    [InlineData(new byte[] { 0x03, 0xE8, 0xFF }, WebSocketCloseCodes.InvalidPayloadData)]
    [InlineData(new byte[] { 0x03, 0xE8, 0xE2, 0x82 }, WebSocketCloseCodes.InvalidPayloadData)]
    public void InvalidPayload_ReportsItsCloseCode(byte[] payload, ushort expected)
    {
        Assert.False(ClosePayload.TryParse(payload, out _, out _, out var error));
        Assert.Equal(expected, error);
    }
}
