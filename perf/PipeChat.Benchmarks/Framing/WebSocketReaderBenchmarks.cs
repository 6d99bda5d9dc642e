using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using PipeChat.Protocol.Framing;

namespace PipeChat.Benchmarks.Framing;

/// <summary>Reading one 1 KiB masked text frame (header, unmask, UTF-8 check) into a reused sink.</summary>
[MemoryDiagnoser]
public class WebSocketReaderBenchmarks
{
    private readonly ArrayBufferWriter<byte> _sink = new(4096);
    private WebSocketReader _reader = new(isServer: true, 1 << 20);
    private ReadOnlySequence<byte> _textFrame;
    private ReadOnlySequence<byte> _binaryFrame;
    private ReadOnlySequence<byte> _splitTextFrame;

    [GlobalSetup]
    public void Setup()
    {
        // 1 KiB of mixed ASCII and CJK text, cut on a character boundary and padded with ASCII.
        var source = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("Hello, 世界! ", 100)));
        var cut = 1024;
        while ((source[cut] & 0xC0) == 0x80)
        {
            cut--;
        }

        var text = new byte[1024];
        text.AsSpan().Fill((byte)'!');
        source.AsSpan(0, cut).CopyTo(text);
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.WriteMaskedFrame(output, WebSocketOpcode.Text, text, 0x12345678);
        var frame = output.WrittenSpan.ToArray();
        _textFrame = new ReadOnlySequence<byte>(frame);
        _splitTextFrame = BenchSegment.Split(frame, 500);
        output.ResetWrittenCount();
        FrameWriter.WriteMaskedFrame(output, WebSocketOpcode.Binary, text, 0x12345678);
        _binaryFrame = new ReadOnlySequence<byte>(output.WrittenSpan.ToArray());
        if (ReadText() != WebSocketReadResult.Message || ReadSplitText() != WebSocketReadResult.Message)
        {
            throw new InvalidOperationException("benchmark frame does not parse");
        }
    }

    [Benchmark(Baseline = true)]
    public WebSocketReadResult ReadText()
    {
        _sink.ResetWrittenCount();
        return _reader.Read(_textFrame, _sink, out _);
    }

    [Benchmark]
    public WebSocketReadResult ReadBinary()
    {
        _sink.ResetWrittenCount();
        return _reader.Read(_binaryFrame, _sink, out _);
    }

    [Benchmark]
    public WebSocketReadResult ReadSplitText()
    {
        _sink.ResetWrittenCount();
        return _reader.Read(_splitTextFrame, _sink, out _);
    }
}
