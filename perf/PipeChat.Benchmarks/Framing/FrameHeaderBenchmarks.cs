using System.Buffers;
using BenchmarkDotNet.Attributes;
using PipeChat.Protocol.Framing;

namespace PipeChat.Benchmarks.Framing;

/// <summary>Frame header decoding: one span, and a header split across two segments.</summary>
[MemoryDiagnoser]
public class FrameHeaderBenchmarks
{
    private byte[] _frame = [];
    private ReadOnlySequence<byte> _single;
    private ReadOnlySequence<byte> _split;

    [GlobalSetup]
    public void Setup()
    {
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.WriteMaskedFrame(output, WebSocketOpcode.Text, new byte[1024], 0x12345678);
        _frame = output.WrittenSpan.ToArray();
        _single = new ReadOnlySequence<byte>(_frame);
        _split = BenchSegment.Split(_frame, 3);
    }

    [Benchmark(Baseline = true)]
    public long ParseSpan()
    {
        FrameHeaderReader.TryRead(_frame, true, out var header, out _);
        return header.PayloadLength;
    }

    [Benchmark]
    public long ParseSequence()
    {
        FrameHeaderReader.TryRead(_single, true, out var header, out _);
        return header.PayloadLength;
    }

    [Benchmark]
    public long ParseSplitSequence()
    {
        FrameHeaderReader.TryRead(_split, true, out var header, out _);
        return header.PayloadLength;
    }
}
