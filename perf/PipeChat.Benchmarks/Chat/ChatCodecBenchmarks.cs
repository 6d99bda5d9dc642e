using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using PipeChat.Protocol.Chat;

namespace PipeChat.Benchmarks.Chat;

/// <summary>Envelope parse and serialize: the per-message cost before fan-out. Target: 0 B allocated.</summary>
[MemoryDiagnoser]
public class ChatCodecBenchmarks
{
    private byte[] _roomRequest = [];
    private byte[] _noticeRequest = [];
    private byte[] _payload = [];
    private readonly byte[] _scratch = new byte[ChatRequestParser.ScratchLength];
    private readonly ArrayBufferWriter<byte> _output = new(4096);

    [GlobalSetup]
    public void Setup()
    {
        // ~150 B payload, like a mini-program chat message.
        const string Payload = """{"info":"今晚七点在老地方见，别迟到了 see you at 7","kind":"text","createdAt":1732680000000,"read":false,"room":"r1"}""";
        _payload = Encoding.UTF8.GetBytes(Payload);
        _roomRequest = Encoding.UTF8.GetBytes($$$"""{"type":"room","data":{"roomid":"lobby-42","data":{{{Payload}}}},"ref":"m-1024"}""");
        _noticeRequest = Encoding.UTF8.GetBytes($$$"""{"type":"notice","data":{"id":"bob","data":{{{Payload}}}}}""");
    }

    [Benchmark]
    public int ParseRoom()
    {
        ChatRequestParser.TryParse(_roomRequest, _scratch, out var request, out _);
        return request.Data.Length;
    }

    [Benchmark]
    public int ParseNotice()
    {
        ChatRequestParser.TryParse(_noticeRequest, _scratch, out var request, out _);
        return request.Data.Length;
    }

    [Benchmark]
    public int WriteRoom()
    {
        _output.ResetWrittenCount();
        ChatMessageWriter.WriteRoom(_output, "lobby-42", "alice", 42, 1732680000000, _payload);
        return _output.WrittenCount;
    }
}
