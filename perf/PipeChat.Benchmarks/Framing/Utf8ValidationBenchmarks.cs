using System.Text;
using System.Text.Unicode;
using BenchmarkDotNet.Attributes;
using PipeChat.Protocol.Text;

namespace PipeChat.Benchmarks.Framing;

/// <summary>Stream validation of 1 KiB against the BCL's one-shot validator.</summary>
[MemoryDiagnoser]
public class Utf8ValidationBenchmarks
{
    private byte[] _text = [];

    [Params("ascii", "chinese")]
    public string Kind { get; set; } = "ascii";

    [GlobalSetup]
    public void Setup()
    {
        var unit = Kind == "ascii" ? "The quick brown fox jumps over the lazy dog. " : "微信小程序聊天室实时消息推送服务。";
        var bytes = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(unit, 200)));
        var length = 1024;
        while ((bytes[length] & 0xC0) == 0x80)
        {
            length--;
        }

        _text = bytes[..length];
    }

    [Benchmark(Baseline = true)]
    public bool Utf8IsValid() => Utf8.IsValid(_text);

    [Benchmark]
    public bool StreamValidator()
    {
        var validator = default(Utf8StreamValidator);
        return validator.TryAppend(_text, isFinal: true);
    }

    [Benchmark]
    public bool StreamValidatorIn4Chunks()
    {
        var validator = default(Utf8StreamValidator);
        var quarter = _text.Length / 4;
        return validator.TryAppend(_text.AsSpan(0, quarter), false)
            && validator.TryAppend(_text.AsSpan(quarter, quarter), false)
            && validator.TryAppend(_text.AsSpan(2 * quarter, quarter), false)
            && validator.TryAppend(_text.AsSpan(3 * quarter), true);
    }
}
