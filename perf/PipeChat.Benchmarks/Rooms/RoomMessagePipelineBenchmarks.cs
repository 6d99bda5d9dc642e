using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using PipeChat.Protocol.Chat;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Buffers;
using PipeChat.Server.Rooms;
using PipeChat.Server.Routing;

namespace PipeChat.Benchmarks.Rooms;

/// <summary>
/// One room message from request to every member's queue, as the server does it: parse the
/// request, encode it once into a pooled frame, hand it to the single node's router (through the
/// <see cref="IChatRouter"/> interface, as chat handlers do), let the room channel stamp the seq and fan the
/// shared frame out to 1,000 members, then drain them as the writers would: members that read the
/// room's feed through a cursor (as sessions do, <c>SharedFrame_fanout_feed</c>), or members with
/// a queue of references of their own (the design before 30 Nov, <c>SharedFrame_fanout</c>). The baseline is
/// the naive way — serialize and frame the message again for each recipient into a new array.
/// Divide by Members for the cost per recipient; the target is 0 B allocated per recipient.
/// </summary>
[MemoryDiagnoser]
public class RoomMessagePipelineBenchmarks
{
    private static readonly byte[] s_request = """{"type":"room","data":{"roomid":"live-42","data":{"text":"主播好！这条弹幕来自小程序 👏","kind":"text"}},"ref":"m-1"}"""u8.ToArray();
    private readonly RoomRegistry _registry = new();
    private readonly IChatRouter _router;
    private QueueConnection[] _members = [];
    private FeedQueueConnection[] _readers = [];
    private Room _room = null!;
    private Room _feedRoom = null!;

    public RoomMessagePipelineBenchmarks()
        => _router = new LocalRouter(new RoutingSettings(HistorySize: 100, HistorySeconds: 3_600, PresenceLimit: 0, QueryMaxMembers: 0), _registry, new RoomChannels(historySize: 100, historyMaxAgeMs: 3_600_000), new UserDirectory());

    [Params(1_000)]
    public int Members { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _members = new QueueConnection[Members];
        for (var i = 0; i < Members; i++)
        {
            _members[i] = new QueueConnection(i + 1, "viewer" + i);
            _room = _registry.Join("live-42", _members[i]).Room;
        }

        _readers = new FeedQueueConnection[Members];
        for (var i = 0; i < Members; i++)
        {
            _readers[i] = new FeedQueueConnection(Members + i + 1, "reader" + i);
            _feedRoom = _registry.Join("live-43", _readers[i]).Room;
        }
    }

    [Benchmark]
    public long SharedFrame_fanout_feed() => FanOut(_feedRoom, _readers);

    [Benchmark]
    public long SharedFrame_fanout() => FanOut(_room, _members);

    /// <summary>One message published to the room, then every member drained as its writer would; the bytes "sent".</summary>
    private long FanOut(Room room, DrainedConnection[] members)
    {
        Publish(room, members[0]);
        long bytes = 0;
        foreach (var member in members)
        {
            member.Drain();
            bytes += member.Bytes;
        }

        return bytes;
    }

    /// <summary>Parses the request, encodes it once and publishes it through the router (the room's channel stamps, keeps and fans it out).</summary>
    private void Publish(Room room, Server.Rooms.IRoomMember sender)
    {
        Span<byte> scratch = stackalloc byte[ChatRequestParser.ScratchLength];
        ChatRequestParser.TryParse(s_request, scratch, out var request, out _);
        var frame = SharedFrame.Rent(160 + request.Data.Length);
        ChatMessageWriter.WriteRoom(frame, room.Id, "anchor", 1_732_680_000_000, request.Data, out var slot);
        _ = _router.Publish(sender, room.Id, room, frame, slot, default, null);
    }

    [Benchmark(Baseline = true)]
    public long PerRecipient_serialize()
    {
        using var document = JsonDocument.Parse(s_request);
        var data = document.RootElement.GetProperty("data");
        var payload = data.GetProperty("data");
        long bytes = 0;
        var writer = new ArrayBufferWriter<byte>(256);
        foreach (var member in _members)
        {
            writer.ResetWrittenCount();
            using (var json = new Utf8JsonWriter(writer))
            {
                json.WriteStartObject();
                json.WriteString("type", "room");
                json.WriteStartObject("data");
                json.WriteString("roomid", data.GetProperty("roomid").GetString());
                json.WriteString("from", "anchor");
                json.WriteNumber("seq", 1);
                json.WriteNumber("ts", 1_732_680_000_000);
                json.WritePropertyName("data");
                payload.WriteTo(json);
                json.WriteEndObject();
                json.WriteEndObject();
            }

            var message = writer.WrittenSpan;
            var framed = new byte[message.Length + 10];
            var header = FrameWriter.WriteHeader(framed, WebSocketOpcode.Text, true, message.Length, false, 0);
            message.CopyTo(framed.AsSpan(header));
            bytes += member.ConnectionId > 0 ? framed.Length : 0;
        }

        return bytes;
    }
}
