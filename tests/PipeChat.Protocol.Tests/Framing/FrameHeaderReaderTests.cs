using PipeChat.Protocol.Framing;
using PipeChat.Protocol.Tests.Support;

namespace PipeChat.Protocol.Tests.Framing;

public class FrameHeaderReaderTests
{
    private static void AssertHeader(byte[] input, bool expectMasked, FrameHeader expected)
    {
        Assert.Equal(ParseStatus.Done, FrameHeaderReader.TryRead(input, expectMasked, out var fromSpan, out _));
        Assert.Equal(expected, fromSpan);
        foreach (var (shape, sequence) in SequenceSplits.All(input))
        {
            var status = FrameHeaderReader.TryRead(sequence, expectMasked, out var header, out var code);
            Assert.True(status == ParseStatus.Done, shape);
            Assert.Equal(0, code);
            Assert.Equal(expected, header);
        }

        // Every strict prefix needs more data.
        for (var length = 0; length < expected.HeaderLength; length++)
        {
            var prefix = input[..length];
            Assert.Equal(ParseStatus.NeedMoreData, FrameHeaderReader.TryRead(prefix, expectMasked, out _, out _));
            foreach (var (shape, sequence) in SequenceSplits.All(prefix))
            {
                Assert.True(FrameHeaderReader.TryRead(sequence, expectMasked, out _, out _) == ParseStatus.NeedMoreData, $"prefix {length} {shape}");
            }
        }
    }

    private static void AssertInvalid(byte[] input, bool expectMasked)
    {
        Assert.Equal(ParseStatus.Invalid, FrameHeaderReader.TryRead(input, expectMasked, out _, out var spanCode));
        Assert.Equal(WebSocketCloseCodes.ProtocolError, spanCode);
        foreach (var (shape, sequence) in SequenceSplits.All(input))
        {
            var status = FrameHeaderReader.TryRead(sequence, expectMasked, out _, out var code);
            Assert.True(status == ParseStatus.Invalid, shape);
            Assert.Equal(WebSocketCloseCodes.ProtocolError, code);
        }
    }

    [Fact]
    public void Rfc6455_5_7_MaskedHello_Decodes()
        => AssertHeader([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f], true, new FrameHeader(true, WebSocketOpcode.Text, true, Frames.Key, 5, 6));

    [Fact]
    public void SevenBitLength_Decodes()
        => AssertHeader([0x02, 0x7D], false, new FrameHeader(false, WebSocketOpcode.Binary, false, 0, 125, 2));

    [Fact]
    public void SixteenBitLength_Decodes()
        => AssertHeader([0x82, 0xFE, 0xFF, 0xFF, 1, 2, 3, 4], true, new FrameHeader(true, WebSocketOpcode.Binary, true, 0x04030201, 65535, 8));

    [Fact]
    public void SixtyFourBitLength_Decodes()
        => AssertHeader([0x80, 0xFF, 0, 0, 0, 0, 0, 1, 0, 0, 9, 8, 7, 6, 0xAA], true, new FrameHeader(true, WebSocketOpcode.Continuation, true, 0x06070809, 65536, 14));

    [Fact]
    public void NonMinimalLengthEncoding_IsAccepted()
        => AssertHeader([0x81, 0x7E, 0x00, 0x05], false, new FrameHeader(true, WebSocketOpcode.Text, false, 0, 5, 4));

    [Fact]
    public void HeadersWeWrite_DecodeToWhatWasWritten()
    {
        foreach (var length in new long[] { 0, 1, 125, 126, 65535, 65536, 100_000, long.MaxValue })
        {
            foreach (var masked in new[] { false, true })
            {
                var buffer = new byte[FrameWriter.MaxHeaderLength];
                var written = FrameWriter.WriteHeader(buffer, WebSocketOpcode.Binary, fin: true, length, masked, 0x11223344);
                var expected = new FrameHeader(true, WebSocketOpcode.Binary, masked, masked ? 0x11223344u : 0, length, written);
                AssertHeader(buffer[..written], masked, expected);
            }
        }
    }

    [Fact]
    public void LengthWithTheTopBitSet_IsInvalid()
        => AssertInvalid([0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0], false);

    [Theory]
    [InlineData(0x40)]
    [InlineData(0x20)]
    [InlineData(0x10)]
    public void RsvBit_IsInvalid(byte bit)
        => AssertInvalid([(byte)(0x81 | bit), 0x80, 1, 2, 3, 4], true);

    [Fact]
    public void ReservedOpcodes_AreInvalid_AndDefinedOnesAreNot()
    {
        for (var opcode = 0; opcode < 16; opcode++)
        {
            byte[] input = [(byte)(0x80 | opcode), 0x80, 1, 2, 3, 4];
            var defined = opcode is 0 or 1 or 2 or 8 or 9 or 10;
            if (defined)
            {
                Assert.Equal(ParseStatus.Done, FrameHeaderReader.TryRead(input, true, out _, out _));
            }
            else
            {
                AssertInvalid(input, true);
            }
        }
    }

    [Fact]
    public void MaskDirection_IsEnforced()
    {
        AssertInvalid([0x81, 0x05], expectMasked: true);
        AssertInvalid([0x81, 0x85, 1, 2, 3, 4], expectMasked: false);
    }

    [Theory]
    [InlineData(0x88)]
    [InlineData(0x89)]
    [InlineData(0x8A)]
    public void ControlFrameOver125_IsInvalid(byte first)
    {
        AssertInvalid([first, 0xFE, 0x00, 0x7E, 1, 2, 3, 4], true);
        AssertInvalid([first, 0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4], true);
    }

    [Theory]
    [InlineData(0x08)]
    [InlineData(0x09)]
    [InlineData(0x0A)]
    public void ControlFrameWithoutFin_IsInvalid(byte first)
        => AssertInvalid([first, 0x80, 1, 2, 3, 4], true);

    [Fact]
    public void InvalidFirstByte_FailsBeforeTheSecondArrives()
    {
        Assert.Equal(ParseStatus.Invalid, FrameHeaderReader.TryRead([0xC1], true, out _, out var code));
        Assert.Equal(WebSocketCloseCodes.ProtocolError, code);
    }
}
