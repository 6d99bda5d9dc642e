using BenchmarkDotNet.Attributes;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Buffers;
using PipeChat.Server.Rooms;

namespace PipeChat.Benchmarks.Rooms;

/// <summary>
/// Room fan-out to N members whose TrySend is free: the cost of the lock-free membership scan
/// and one interface call per recipient. Divide Mean by Members for ns per recipient; the
/// target is 0 B allocated per publish.
/// </summary>
[MemoryDiagnoser]
public class RoomPublishBenchmarks
{
    private readonly RoomRegistry _registry = new();
    private readonly UserDirectory _directory = new();
    private Room _room = null!;
    private SharedFrame _frame = null!;

    [Params(1_000, 10_000)]
    public int Members { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < Members; i++)
        {
            var connection = new NoopConnection(i + 1, "user" + i);
            _room = _registry.Join("room", connection).Room;
            _directory.TryAdd(connection, 5);
        }

        _frame = SharedFrame.Create(WebSocketOpcode.Text, """{"type":"room","data":{"roomid":"room","from":"alice","seq":1,"ts":0,"data":"hi"}}"""u8);
    }

    [GlobalCleanup]
    public void Cleanup() => _frame.Release();

    [Benchmark(Baseline = true)]
    public int Publish() => _room.Publish(_frame);

    [Benchmark]
    public int Broadcast() => _directory.Broadcast(_frame);
}
