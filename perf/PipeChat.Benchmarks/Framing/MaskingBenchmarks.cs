using BenchmarkDotNet.Attributes;
using PipeChat.Protocol.Framing;

namespace PipeChat.Benchmarks.Framing;

/// <summary>Masking throughput against a plain copy of the same size.</summary>
[MemoryDiagnoser]
public class MaskingBenchmarks
{
    private byte[] _source = [];
    private byte[] _destination = [];

    [Params(16, 1024, 65536)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _source = new byte[Size];
        new Random(1).NextBytes(_source);
        _destination = new byte[Size];
    }

    [Benchmark(Baseline = true)]
    public void CopyTo() => _source.AsSpan().CopyTo(_destination);

    [Benchmark]
    public int ApplyTo() => WebSocketMask.ApplyTo(_source, _destination, 0x12345678, 1);

    [Benchmark]
    public int ApplyInPlace() => WebSocketMask.Apply(_destination, 0x12345678, 1);
}
