using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using PipeChat.Protocol.Framing;
using PipeChat.Protocol.Handshake;

namespace PipeChat.Benchmarks.Handshake;

/// <summary>
/// The server's whole handshake path for a typical browser upgrade: parse (one segment, and three
/// segments through the scratch copy), validate, accept key, 101 response into a reused writer.
/// </summary>
[MemoryDiagnoser]
public class HandshakeBenchmarks
{
    private const string ChromeUpgrade =
        "GET /chat?room=lobby&token=a%20b HTTP/1.1\r\n" +
        "Host: chat.example.com\r\n" +
        "Connection: Upgrade\r\n" +
        "Pragma: no-cache\r\n" +
        "Cache-Control: no-cache\r\n" +
        "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36\r\n" +
        "Upgrade: websocket\r\n" +
        "Origin: https://chat.example.com\r\n" +
        "Sec-WebSocket-Version: 13\r\n" +
        "Accept-Encoding: gzip, deflate, br\r\n" +
        "Accept-Language: en-US,en;q=0.9\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" +
        "\r\n";

    private readonly byte[] _scratch = new byte[HandshakeParser.DefaultMaxRequestBytes];
    private readonly ArrayBufferWriter<byte> _output = new(1024);
    private readonly byte[] _acceptKey = new byte[HandshakeResponse.AcceptKeyLength];
    private ReadOnlySequence<byte> _oneSegment;
    private ReadOnlySequence<byte> _threeSegments;

    [GlobalSetup]
    public void Setup()
    {
        var bytes = Encoding.ASCII.GetBytes(ChromeUpgrade);
        _oneSegment = new ReadOnlySequence<byte>(bytes);
        var third = bytes.Length / 3;
        var first = new Segment(bytes.AsMemory(0, third), 0);
        var last = first.Append(bytes.AsMemory(third, third)).Append(bytes.AsMemory(2 * third));
        _threeSegments = new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    [Benchmark(Baseline = true)]
    public int Parse_one_segment() => Parse(_oneSegment);

    [Benchmark]
    public int Parse_three_segments() => Parse(_threeSegments);

    [Benchmark]
    public int AcceptKey()
    {
        HandshakeResponse.ComputeAcceptKey("dGhlIHNhbXBsZSBub25jZQ=="u8, _acceptKey);
        return _acceptKey[0];
    }

    [Benchmark]
    public int Handshake_one_segment() => Handshake(_oneSegment);

    [Benchmark]
    public int Handshake_three_segments() => Handshake(_threeSegments);

    private int Parse(in ReadOnlySequence<byte> input)
    {
        HandshakeParser.TryParse(input, _scratch.Length, _scratch, out var request, out _, out _);
        return request.Length;
    }

    /// <summary>Parse, validate, accept key and the 101 response: what a connection does before its first frame.</summary>
    private int Handshake(in ReadOnlySequence<byte> input)
    {
        if (HandshakeParser.TryParse(input, _scratch.Length, _scratch, out var request, out _, out _) != ParseStatus.Done ||
            !request.TryValidateUpgrade(out _))
        {
            throw new InvalidOperationException("benchmark request must be a valid upgrade");
        }

        _output.ResetWrittenCount();
        HandshakeResponse.WriteSwitchingProtocols(_output, request.Key, request.OffersSubProtocol("pipechat.v1"u8) ? "pipechat.v1"u8 : default);
        return _output.WrittenCount;
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
