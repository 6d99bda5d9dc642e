using System.IO.Compression;
using BenchmarkDotNet.Attributes;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Compression;

namespace PipeChat.Benchmarks.Compression;

/// <summary>
/// The server's native zlib path (<see cref="DeflateCodec"/>, runtime-internal exports) against
/// the public System.IO.Compression API doing the same RFC 7692 work: raw DEFLATE, a sync flush
/// whose 00 00 ff ff tail is dropped, no context takeover. The public API has no full flush, no
/// reset and no window bits, so each message needs a new <see cref="DeflateStream"/> (a fresh
/// zlib stream) to keep messages independent; the window is always 15 bits. The question it
/// answers: is the public path within about 10 % of the native one (then the server should use it)?
/// </summary>
[MemoryDiagnoser]
public class PublicApiDeflateBenchmarks
{
    private readonly MemoryStream _output = new(64 * 1024);
    private readonly byte[] _inflated = new byte[64 * 1024];
    private DeflateCodec _codec = null!;
    private IMessageInflater _inflater = null!;
    private ZLibCompressionOptions _options = null!;
    private byte[] _payload = [];
    private byte[] _compressed = [];

    [ParamsSource(nameof(Samples))]
    public string Sample { get; set; } = "room";

    public static IEnumerable<string> Samples => ChatSamples.Names;

    [GlobalSetup]
    public void Setup()
    {
        _codec = new DeflateCodec(thresholdBytes: 0, level: 6, windowBits: 15);
        _inflater = _codec.CreateSessionInflater();
        _options = new ZLibCompressionOptions { CompressionLevel = 6, CompressionStrategy = ZLibCompressionStrategy.Default };
        _payload = ChatSamples.Get(Sample);
        _compressed = [.. CompressPublic(_payload), 0x00, 0x00, 0xFF, 0xFF];
    }

    [GlobalCleanup]
    public void Cleanup() => _codec.Dispose();

    [Benchmark(Baseline = true)]
    public int Native_compress()
    {
        var twin = _codec.Compress(_payload, WebSocketOpcode.Text);
        var length = twin?.PayloadLength ?? 0;
        twin?.Release();
        return length;
    }

    [Benchmark]
    public int Public_api_compress() => CompressPublic(_payload).Length;

    [Benchmark]
    public int Native_decompress()
    {
        _inflater.Inflate(_compressed, _inflated, out _, out var written);
        _inflater.Reset();
        return written;
    }

    [Benchmark]
    public int Public_api_decompress()
    {
        using var deflate = new DeflateStream(new MemoryStream(_compressed, writable: false), CompressionMode.Decompress);
        var total = 0;
        int read;
        while ((read = deflate.Read(_inflated, total, _inflated.Length - total)) > 0)
        {
            total += read;
        }

        return total;
    }

    private ReadOnlySpan<byte> CompressPublic(byte[] payload)
    {
        _output.SetLength(0);
        using (var deflate = new DeflateStream(_output, _options, leaveOpen: true))
        {
            deflate.Write(payload);
            deflate.Flush(); // Z_SYNC_FLUSH: ends with the empty stored block RFC 7692 strips
        }

        // Disposing wrote a final empty block after the flush; the message is what came before it.
        var written = _output.GetBuffer().AsSpan(0, (int)_output.Length);
        var tail = written.LastIndexOf((ReadOnlySpan<byte>)[0x00, 0x00, 0xFF, 0xFF]);
        return written[..tail];
    }
}
