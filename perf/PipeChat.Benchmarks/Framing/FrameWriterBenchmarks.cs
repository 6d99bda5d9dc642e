using System.Buffers;
using BenchmarkDotNet.Attributes;
using PipeChat.Protocol.Framing;

namespace PipeChat.Benchmarks.Framing;

/// <summary>Writing a 1 KiB frame into a reused buffer writer.</summary>
[MemoryDiagnoser]
public class FrameWriterBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private readonly byte[] _payload = new byte[1024];

    [Benchmark(Baseline = true)]
    public int WriteFrame()
    {
        _output.ResetWrittenCount();
        FrameWriter.WriteFrame(_output, WebSocketOpcode.Text, _payload);
        return _output.WrittenCount;
    }

    [Benchmark]
    public int WriteMaskedFrame()
    {
        _output.ResetWrittenCount();
        FrameWriter.WriteMaskedFrame(_output, WebSocketOpcode.Binary, _payload, 0x12345678);
        return _output.WrittenCount;
    }

    [Benchmark]
    public int WriteClose()
    {
        _output.ResetWrittenCount();
        FrameWriter.WriteClose(_output, WebSocketCloseCodes.GoingAway, "server shutting down"u8);
        return _output.WrittenCount;
    }
}
