using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using BenchmarkDotNet.Attributes;
using PipeChat.Protocol.Framing;

namespace PipeChat.Benchmarks.Comparison;

/// <summary>
/// The same work done by PipeChat.Protocol and by System.Net.WebSockets (the BCL's
/// ManagedWebSocket, which ASP.NET Core's middleware uses), measured in the same run:
/// a server receiving one 1 KiB masked text frame (header, unmask, UTF-8 check), and a
/// server sending one 1 KiB text frame.
/// </summary>
[MemoryDiagnoser]
public class SystemWebSocketComparisonBenchmarks
{
    private readonly byte[] _receiveBuffer = new byte[4096];
    private readonly ArrayBufferWriter<byte> _sink = new(4096);
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private WebSocketReader _reader = new(isServer: true, 1 << 20);
    private byte[] _text = [];
    private ReadOnlySequence<byte> _frame;
    private WebSocket _receiver = null!;
    private WebSocket _sender = null!;

    [GlobalSetup]
    public void Setup()
    {
        _text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("Hello 世界 ", 120)))[..1020];
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.WriteMaskedFrame(output, WebSocketOpcode.Text, _text, 0x2A3B4C5D);
        var frame = output.WrittenSpan.ToArray();
        _frame = new ReadOnlySequence<byte>(frame);
        _receiver = WebSocket.CreateFromStream(new LoopStream(frame), new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        _sender = WebSocket.CreateFromStream(new LoopStream([0]), new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        if (Receive_SystemNetWebSockets() != _text.Length || Receive_PipeChat() != WebSocketReadResult.Message)
        {
            throw new InvalidOperationException("benchmark frame does not parse");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _receiver.Dispose();
        _sender.Dispose();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Receive")]
    public int Receive_SystemNetWebSockets()
    {
        var pending = _receiver.ReceiveAsync(_receiveBuffer.AsMemory(), CancellationToken.None);
        return (pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult()).Count;
    }

    [Benchmark]
    [BenchmarkCategory("Receive")]
    public WebSocketReadResult Receive_PipeChat()
    {
        _sink.ResetWrittenCount();
        return _reader.Read(_frame, _sink, out _);
    }

    [Benchmark]
    [BenchmarkCategory("Send")]
    public void Send_SystemNetWebSockets()
    {
        var pending = _sender.SendAsync(_text.AsMemory(), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        if (!pending.IsCompletedSuccessfully)
        {
            pending.AsTask().GetAwaiter().GetResult();
        }
    }

    [Benchmark]
    [BenchmarkCategory("Send")]
    public int Send_PipeChat()
    {
        _output.ResetWrittenCount();
        FrameWriter.WriteFrame(_output, WebSocketOpcode.Text, _text);
        return _output.WrittenCount;
    }
}
