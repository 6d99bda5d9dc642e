using BenchmarkDotNet.Attributes;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Buffers;
using PipeChat.Server.Compression;

namespace PipeChat.Benchmarks.Compression;

/// <summary>
/// One room message to 1,000 members that all negotiated permessage-deflate: PipeChat compresses
/// once and every member's queue takes the shared compressed frame; the baseline compresses for
/// each recipient, as a server with per-connection compressors does; the plain fan-out is the
/// cost without the extension. Divide by 1,000 for the cost per recipient.
/// </summary>
[MemoryDiagnoser]
public class DeflateFanoutBenchmarks
{
    private const int Members = 1_000;
    private readonly DeflateCodec _codec = new(thresholdBytes: 256, level: 6, windowBits: 15);
    private readonly Queue<SharedFrame>[] _queues = Enumerable.Range(0, Members).Select(_ => new Queue<SharedFrame>(4)).ToArray();
    private byte[] _payload = [];

    [GlobalSetup]
    public void Setup() => _payload = ChatSamples.Get("room-long");

    [GlobalCleanup]
    public void Cleanup() => _codec.Dispose();

    [Benchmark]
    public long Plain_shared_frame()
    {
        var frame = SharedFrame.Create(WebSocketOpcode.Text, _payload);
        foreach (var queue in _queues)
        {
            frame.AddReference();
            queue.Enqueue(frame);
        }

        frame.Release();
        return Drain();
    }

    [Benchmark]
    public long Compressed_once_shared()
    {
        var frame = SharedFrame.Create(WebSocketOpcode.Text, _payload);
        foreach (var queue in _queues)
        {
            var chosen = frame.ForDeflateRecipient(_codec, 15);
            chosen.AddReference();
            queue.Enqueue(chosen);
        }

        frame.Release();
        return Drain();
    }

    [Benchmark(Baseline = true)]
    public long Compressed_per_recipient()
    {
        foreach (var queue in _queues)
        {
            queue.Enqueue(_codec.Compress(_payload, WebSocketOpcode.Text)!);
        }

        return Drain();
    }

    private long Drain()
    {
        long bytes = 0;
        foreach (var queue in _queues)
        {
            while (queue.TryDequeue(out var frame))
            {
                bytes += frame.Frame.Length;
                frame.Release();
            }
        }

        return bytes;
    }
}
