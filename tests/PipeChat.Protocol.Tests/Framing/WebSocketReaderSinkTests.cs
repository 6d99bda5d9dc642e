using PipeChat.Protocol.Framing;

namespace PipeChat.Protocol.Tests.Framing;

public class WebSocketReaderSinkTests
{
    /// <summary>A sink that hands out at most 7 bytes when asked without a size hint.</summary>
    private sealed class StingyWriter : System.Buffers.IBufferWriter<byte>
    {
        private readonly System.Buffers.ArrayBufferWriter<byte> _inner = new();

        public ReadOnlySpan<byte> Written => _inner.WrittenSpan;

        public void Advance(int count) => _inner.Advance(count);

        public Memory<byte> GetMemory(int sizeHint = 0) => _inner.GetMemory(sizeHint)[..Math.Max(sizeHint, 7)];

        public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
    }

    [Fact]
    public void SmallSinkSpans_StillReceiveTheWholeUnmaskedPayload()
    {
        var text = "Hello 世界 κόσμε 🙂 and some more ASCII to cross many spans"u8.ToArray();
        var frame = Frames.Masked(WebSocketOpcode.Text, text, key: 0x89ABCDEF);
        var reader = new WebSocketReader(isServer: true, 1024);
        var sink = new StingyWriter();

        Assert.Equal(WebSocketReadResult.Message, reader.Read(new(frame), sink, out _));
        Assert.Equal(text, sink.Written.ToArray());
    }
}
