using System.Buffers;
using System.Text;
using PipeChat.Protocol.Framing;

namespace PipeChat.Protocol.Tests.Framing;

public class FrameWriterTests
{
    /// <summary>A buffer writer that records how often it was asked for memory.</summary>
    private sealed class CountingWriter : IBufferWriter<byte>
    {
        private readonly ArrayBufferWriter<byte> _inner = new();

        public int GetSpanCalls { get; private set; }

        public ReadOnlySpan<byte> Written => _inner.WrittenSpan;

        public void Advance(int count) => _inner.Advance(count);

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            GetSpanCalls++;
            return _inner.GetMemory(sizeHint);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            GetSpanCalls++;
            return _inner.GetSpan(sizeHint);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(125)]
    [InlineData(126)]
    [InlineData(65535)]
    [InlineData(65536)]
    [InlineData(100_000)]
    public void Frames_OfEveryLengthClass_ReadBack_WithOneGetSpan(int length)
    {
        var random = new Random(length);
        var payload = new byte[length];
        random.NextBytes(payload);

        var server = new CountingWriter();
        FrameWriter.WriteFrame(server, WebSocketOpcode.Binary, payload);
        Assert.Equal(1, server.GetSpanCalls);
        Assert.Equal(FrameWriter.GetHeaderLength(length, false) + length, server.Written.Length);
        Assert.Equal(payload, Assert.Single(ReadLoop.Run([server.Written.ToArray()], isServer: false)).Data);

        var client = new CountingWriter();
        FrameWriter.WriteMaskedFrame(client, WebSocketOpcode.Binary, payload, (uint)random.Next());
        Assert.Equal(1, client.GetSpanCalls);
        Assert.Equal(payload, Assert.Single(ReadLoop.Run([client.Written.ToArray()], isServer: true)).Data);
    }

    [Fact]
    public void NonFinalFrame_HasFinClear()
    {
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.WriteFrame(output, WebSocketOpcode.Text, "ab"u8, fin: false);
        Assert.Equal(new byte[] { 0x01, 0x02, (byte)'a', (byte)'b' }, output.WrittenSpan.ToArray());
    }

    [Fact]
    public void WriteClose_WritesCodeAndReason()
    {
        var output = new CountingWriter();
        FrameWriter.WriteClose(output, 1001, "bye"u8);
        Assert.Equal(1, output.GetSpanCalls);
        Assert.Equal(new byte[] { 0x88, 0x05, 0x03, 0xE9, (byte)'b', (byte)'y', (byte)'e' }, output.Written.ToArray());
    }

    [Fact]
    public void WriteClose_Masked_ReadsBackAsClose()
    {
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.WriteClose(output, 4000, "κόσμε"u8, masked: true, maskKey: 0x12345678);
        var e = Assert.Single(ReadLoop.Run([output.WrittenSpan.ToArray()], isServer: true));
        Assert.Equal(WebSocketReadResult.Close, e.Result);
        Assert.Equal(4000, e.CloseCode);
        Assert.Equal("κόσμε"u8.ToArray(), e.CloseReason);
    }

    [Theory]
    [InlineData(122, 1)] // ASCII then 2-byte chars: cuts between characters
    [InlineData(121, 1)]
    [InlineData(0, 1)]
    [InlineData(0, 2)]
    [InlineData(1, 3)]
    [InlineData(2, 3)]
    [InlineData(120, 3)]
    public void WriteClose_TruncatesLongReasonsOnACharacterBoundary(int asciiPrefix, int charKind)
    {
        var ch = charKind switch { 1 => "é", 2 => "世", _ => "😀" };
        var reason = Encoding.UTF8.GetBytes(new string('a', asciiPrefix) + string.Concat(Enumerable.Repeat(ch, 80)));
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.WriteClose(output, 1000, reason);

        var e = Assert.Single(ReadLoop.Run([output.WrittenSpan.ToArray()], isServer: false));
        Assert.Equal(WebSocketReadResult.Close, e.Result);
        Assert.InRange(e.CloseReason.Length, 123 - 3, 123);
        Assert.Equal(reason[..e.CloseReason.Length], e.CloseReason);
        Assert.True(e.ControlPayload.Length <= 125);
    }
}
