using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Buffers;
using PipeChat.Server.Compression;

namespace PipeChat.Benchmarks.Compression;

/// <summary>
/// permessage-deflate on typical chat JSON: what compressing one message costs (done once per room
/// message, whatever the number of recipients), what decompressing one client message costs, and
/// the compression ratio (the Ratio column: compressed payload ÷ plain payload, no context
/// takeover, so each message compresses alone). Baseline: building the plain shared frame.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(RatioConfig))]
public class DeflateBenchmarks
{
    private DeflateCodec _codec = null!;
    private Protocol.Framing.IMessageInflater _inflater = null!;
    private byte[] _payload = [];
    private byte[] _compressed = [];
    private readonly byte[] _output = new byte[64 * 1024];

    [ParamsSource(nameof(Samples))]
    public string Sample { get; set; } = "room";

    [Params(1, 6)]
    public int Level { get; set; }

    public static IEnumerable<string> Samples => ChatSamples.Names;

    [GlobalSetup]
    public void Setup()
    {
        _codec = new DeflateCodec(thresholdBytes: 0, Level, windowBits: 15);
        _inflater = _codec.CreateSessionInflater();
        _payload = ChatSamples.Get(Sample);
        // A sample that does not shrink is still timed: decompress its (larger) compressed form.
        var twin = _codec.Compress(_payload, WebSocketOpcode.Text);
        _compressed = twin is null ? Deflated(_payload, Level) : [.. twin.Payload, 0x00, 0x00, 0xFF, 0xFF];
        twin?.Release();
    }

    [GlobalCleanup]
    public void Cleanup() => _codec.Dispose();

    private static byte[] Deflated(byte[] payload, int level)
    {
        using var output = new MemoryStream();
        using var deflate = new System.IO.Compression.DeflateStream(output, level == 1 ? System.IO.Compression.CompressionLevel.Fastest : System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true);
        deflate.Write(payload);
        deflate.Flush();
        return output.ToArray();
    }

    [Benchmark(Baseline = true)]
    public int Plain_frame()
    {
        var frame = SharedFrame.Create(WebSocketOpcode.Text, _payload);
        var length = frame.Frame.Length;
        frame.Release();
        return length;
    }

    [Benchmark]
    public int Compress()
    {
        // null: the message did not shrink and goes out plain.
        var twin = _codec.Compress(_payload, WebSocketOpcode.Text);
        var length = twin?.Frame.Length ?? 0;
        twin?.Release();
        return length;
    }

    [Benchmark]
    public int Decompress()
    {
        _inflater.Inflate(_compressed, _output, out _, out var written);
        _inflater.Reset();
        return written;
    }

    /// <summary>Adds the plain size and the compression ratio for each sample and level.</summary>
    private sealed class RatioConfig : ManualConfig
    {
        public RatioConfig()
        {
            AddColumn(new SizeColumn("Plain B", ratio: false), new SizeColumn("Ratio", ratio: true));
        }
    }

    private sealed class SizeColumn(string name, bool ratio) : IColumn
    {
        public string Id => "deflate-" + name;

        public string ColumnName => name;

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => ratio ? "compressed payload ÷ plain payload (RFC 7692, no context takeover)" : "plain payload bytes";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        {
            var sample = (string)benchmarkCase.Parameters["Sample"];
            var level = (int)benchmarkCase.Parameters["Level"];
            var payload = ChatSamples.Get(sample);
            if (!ratio)
            {
                return payload.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            using var codec = new DeflateCodec(0, level, 15);
            var twin = codec.Compress(payload, WebSocketOpcode.Text);
            var compressed = twin?.PayloadLength ?? payload.Length;
            twin?.Release();
            return ((double)compressed / payload.Length).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
        }

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary) => true;
    }
}
