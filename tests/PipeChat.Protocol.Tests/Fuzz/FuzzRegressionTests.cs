using PipeChat.Fuzz;
using PipeChat.Protocol.Framing;
using PipeChat.Protocol.Tests.Framing;

namespace PipeChat.Protocol.Tests.Fuzz;

/// <summary>
/// Every input AFL++ reported as a crash or hang, as bytes, with what it turned out to be
/// (docs/fuzzing.md has the runs). Each is replayed through its target and, where the finding is
/// about the code under test, checked directly.
/// </summary>
public sealed class FuzzRegressionTests
{
    /// <summary>
    /// websocket crash 1 (AFL, 2 min in): a text message whose first fragment ends inside a
    /// 2-byte UTF-8 sequence ("h" 0xDA), then a close frame (1014), then the final fragment
    /// (0x88 + a 4-byte emoji). The harness cleared its sink at the close frame and then saw
    /// "invalid UTF-8"; the reader was right. Fixed in the harness: only a Message clears the sink.
    /// </summary>
    private static readonly byte[] s_websocketCloseBetweenFragments =
    [
        0x0E, 0x15, // config: server side, 1 MiB limit, unbounded sink; split seed 21
        0x01, 0x82, 0x37, 0xFA, 0x03, 0x3D, 0x5F, 0x20, // text, not final: "h" 0xDA
        0x88, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x34, 0x0C, 0x7F, 0x44, 0x39, // close 1014 "^y\x0e"
        0x80, 0x85, 0x16, 0xFA, 0x21, 0x3D, 0x9E, 0x0A, 0xBE, 0xA5, 0xB7, // final continuation: 0x88 F0 9F 98 A1
    ];

    [Fact]
    public void Websocket_close_frame_between_fragments_keeps_the_open_text_message()
    {
        FuzzTargets.WebSocket.Run(s_websocketCloseBetweenFragments);

        foreach (var (shape, events) in ReadLoop.AllShapes(s_websocketCloseBetweenFragments[2..], isServer: true))
        {
            Assert.True(events.Count == 2, $"{shape}: {events.Count} events");
            Assert.Equal(WebSocketReadResult.Close, events[0].Result);
            Assert.Equal(1014, events[0].CloseCode);
            Assert.Equal(WebSocketReadResult.Message, events[1].Result);
            Assert.Equal(WebSocketOpcode.Text, events[1].MessageType);
            Assert.Equal("h\u0688\U0001F621"u8.ToArray(), events[1].Data);
        }
    }

    /// <summary>
    /// websocket-deflate findings (AFL, 30 Nov, 3 min, 22 inputs, all of one kind): whole and in
    /// pieces reported different errors for one message. Two of them here. The first: invalid
    /// UTF-8 before the limit in a decompressed chunk crossing it (1009 whole, 1007 in pieces;
    /// fixed in WebSocketReader: the earliest error wins). The second: the stand-in decompressor
    /// read on past a full output into a "bad data" byte (fixed in the harness: it stops at a
    /// full output, as zlib does).
    /// </summary>
    [Theory]
    [InlineData("F5FF00C138E600FBFF2380B87737FA")]
    [InlineData("C140E0C13804E0C13804010EFEFFE2C19F37FA212D0000C19F0000FFFFC1AC007FFFC1A0FA1E3D")]
    public void Websocket_deflate_findings_give_the_same_events_whole_and_in_pieces(string hex)
        => FuzzTargets.WebSocketDeflate.Run(Convert.FromHexString(hex));
}
