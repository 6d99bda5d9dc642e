using PipeChat.Fuzz;
using System.Text;
using PipeChat.Protocol.Framing;

namespace PipeChat.Protocol.Tests.Framing;

/// <summary>
/// The reader's permessage-deflate path with a stand-in decompressor (each input byte comes out
/// <see cref="RepeatingInflater.Factor"/> times; the 00 00 ff ff tail the reader appends comes out as
/// nothing), so what is checked is the reader: RSV1 rules, where decompressed bytes go, the
/// size limit and UTF-8 on decompressed bytes, every split of the input. Real DEFLATE is covered
/// by the server's conformance tests.
/// </summary>
public sealed class WebSocketReaderDeflateTests
{
    private const byte TextRsv1 = 0xC1;   // FIN + RSV1 + text
    private const byte BinaryRsv1 = 0xC2;

    [Fact]
    public void Compressed_text_message_is_decompressed_into_the_sink_in_every_split()
    {
        var frame = Frames.MaskedRaw(TextRsv1, "hello"u8);

        foreach (var (shape, events) in ReadLoop.AllShapes(frame, isServer: true, inflater: () => new RepeatingInflater()))
        {
            var message = Assert.Single(events);
            Assert.True(message.Result == WebSocketReadResult.Message, shape);
            Assert.Equal(WebSocketOpcode.Text, message.MessageType);
            Assert.Equal("hello", Encoding.UTF8.GetString(message.Data));
        }
    }

    [Fact]
    public void Fragmented_compressed_message_with_a_ping_between_fragments_in_every_split()
    {
        var input = Frames.Concat(
            First(WebSocketOpcode.Text, "ab"u8, fin: false),
            Frames.Masked(WebSocketOpcode.Ping, "p"u8),
            Frames.Masked(WebSocketOpcode.Continuation, "cd"u8, fin: false),
            Frames.Masked(WebSocketOpcode.Continuation, "e"u8, fin: true),
            Frames.Masked(WebSocketOpcode.Text, "plain"u8));

        foreach (var (shape, events) in ReadLoop.AllShapes(input, isServer: true, inflater: () => new RepeatingInflater { Factor = 2 }))
        {
            Assert.True(events.Count == 3, shape);
            Assert.Equal(WebSocketReadResult.Ping, events[0].Result);
            Assert.Equal("aabbccddee", Encoding.UTF8.GetString(events[1].Data));
            Assert.Equal("plain", Encoding.UTF8.GetString(events[2].Data));
        }
    }

    [Theory]
    [InlineData(0xC9, "RSV1 set on a control frame")]   // ping
    [InlineData(0xCA, "RSV1 set on a control frame")]   // pong
    [InlineData(0xC8, "RSV1 set on a control frame")]   // close
    [InlineData(0xE1, "reserved bits set")]             // RSV1 + RSV2
    [InlineData(0xD1, "reserved bits set")]             // RSV1 + RSV3
    public void RSV1_where_it_may_not_be_is_1002(byte firstByte, string reason)
    {
        var payload = firstByte == 0xC8 ? new byte[] { 0x03, 0xE8 } : "x"u8.ToArray();
        foreach (var (shape, events) in ReadLoop.AllShapes(Frames.MaskedRaw(firstByte, payload), isServer: true, inflater: () => new RepeatingInflater()))
        {
            var error = Assert.Single(events);
            Assert.True(error.Result == WebSocketReadResult.Error, shape);
            Assert.Equal(WebSocketCloseCodes.ProtocolError, error.CloseCode);
            Assert.Equal(reason, error.ErrorReason);
        }
    }

    [Fact]
    public void RSV1_on_a_continuation_is_1002()
    {
        var continuation = Frames.Masked(WebSocketOpcode.Continuation, "b"u8);
        continuation[0] |= 0x40;
        var input = Frames.Concat(First(WebSocketOpcode.Text, "a"u8, fin: false), continuation);

        foreach (var (shape, events) in ReadLoop.AllShapes(input, isServer: true, inflater: () => new RepeatingInflater()))
        {
            var error = Assert.Single(events);
            Assert.True(error.Result == WebSocketReadResult.Error, shape);
            Assert.Equal("RSV1 set on a continuation frame", error.ErrorReason);
        }
    }

    [Fact]
    public void Without_an_inflater_RSV1_stays_a_reserved_bit()
    {
        var events = ReadLoop.Run([Frames.MaskedRaw(TextRsv1, "x"u8)], isServer: true);

        Assert.Equal(WebSocketCloseCodes.ProtocolError, Assert.Single(events).CloseCode);
    }

    [Fact]
    public void Decompressed_size_is_limited_not_the_compressed_size()
    {
        // 10 bytes on the wire, 1000 decompressed: the limit of 999 is exceeded by the output.
        foreach (var (shape, events) in ReadLoop.AllShapes(Frames.MaskedRaw(BinaryRsv1, new byte[10].Select(_ => (byte)'z').ToArray()), isServer: true, maxMessageBytes: 999, inflater: () => new RepeatingInflater { Factor = 100 }))
        {
            var error = Assert.Single(events);
            Assert.True(error.Result == WebSocketReadResult.Error, shape);
            Assert.Equal(WebSocketCloseCodes.MessageTooBig, error.CloseCode);
        }

        var exact = ReadLoop.Run([Frames.MaskedRaw(BinaryRsv1, "zzzzzzzzzz"u8)], isServer: true, maxMessageBytes: 1000, new RepeatingInflater { Factor = 100 });
        Assert.Equal(1000, Assert.Single(exact).Data.Length);
    }

    [Fact]
    public void Bomb_never_makes_the_inflater_write_more_than_one_byte_past_the_limit()
    {
        var inflater = new RepeatingInflater { Factor = 1_000_000 };
        var events = ReadLoop.Run([Frames.MaskedRaw(BinaryRsv1, "zz"u8)], isServer: true, maxMessageBytes: 5000, inflater);

        Assert.Equal(WebSocketCloseCodes.MessageTooBig, Assert.Single(events).CloseCode);
        Assert.True(inflater.TotalWritten <= 5001, $"wrote {inflater.TotalWritten}");
        Assert.True(inflater.ResetCount >= 1, "a failed message gives its decompressor back");
    }

    [Fact]
    public void Invalid_UTF8_after_decompression_is_1007_and_bad_data_is_1007()
    {
        var badText = ReadLoop.Run([Frames.MaskedRaw(TextRsv1, [(byte)'a', 0xC0, 0xAF])], isServer: true, inflater: new RepeatingInflater());
        Assert.Equal(WebSocketCloseCodes.InvalidPayloadData, Assert.Single(badText).CloseCode);
        Assert.Equal("invalid UTF-8", badText[0].ErrorReason);

        var badData = ReadLoop.Run([Frames.MaskedRaw(BinaryRsv1, "a!b"u8)], isServer: true, inflater: new RepeatingInflater { FailOn = (byte)'!' });
        Assert.Equal(WebSocketCloseCodes.InvalidPayloadData, Assert.Single(badData).CloseCode);
        Assert.Equal("invalid compressed data", badData[0].ErrorReason);
    }

    /// <summary>
    /// Found by the websocket-deflate fuzz target (30 Nov): invalid UTF-8 before the limit in a
    /// decompressed chunk that also crossed the limit gave 1009 when the chunk arrived whole and
    /// 1007 when it arrived in pieces. The earliest error in the message wins now.
    /// </summary>
    [Fact]
    public void Invalid_UTF8_before_the_limit_is_1007_however_the_frame_is_split()
    {
        var frame = Frames.MaskedRaw(TextRsv1, [(byte)'a', (byte)'b', 0xC0, 0xAF, (byte)'c', (byte)'d', (byte)'e']);

        foreach (var (shape, events) in ReadLoop.AllShapes(frame, isServer: true, maxMessageBytes: 4, inflater: () => new RepeatingInflater()))
        {
            var error = Assert.Single(events);
            Assert.True(error.CloseCode == WebSocketCloseCodes.InvalidPayloadData, $"{shape}: {error.CloseCode} {error.ErrorReason}");
        }
    }

    [Fact]
    public void Each_message_resets_the_inflater()
    {
        var inflater = new RepeatingInflater();
        var input = Frames.Concat(Frames.MaskedRaw(TextRsv1, "one"u8), Frames.MaskedRaw(TextRsv1, "two"u8), Frames.Masked(WebSocketOpcode.Text, "three"u8));

        var events = ReadLoop.Run([input], isServer: true, inflater: inflater);

        Assert.Equal(["one", "two", "three"], events.Select(e => Encoding.UTF8.GetString(e.Data)));
        Assert.Equal(2, inflater.ResetCount);
    }

    private static byte[] First(WebSocketOpcode opcode, ReadOnlySpan<byte> payload, bool fin)
    {
        var frame = Frames.Masked(opcode, payload, fin);
        frame[0] |= 0x40;
        return frame;
    }
}
