using System.Buffers.Text;
using System.Diagnostics;
using System.Text;
using PipeChat.LoadTest.Client;
using PipeChat.LoadTest.Metrics;
using PipeChat.LoadTest.Options;

namespace PipeChat.LoadTest.Scenarios;

/// <summary>
/// The message side of every scenario: builds the load messages (room or notice envelopes carrying
/// <c>"lt":[sender,sequence,timestamp]</c>), and checks what arrives — latency from the embedded
/// Stopwatch timestamp, duplicates and late arrivals per sender sequence, gaps in the room's seq,
/// joins, presence events and server errors. Open loop: a sender keeps <c>Window</c> messages in
/// flight, replacing each one as its own copy comes back (private: as the partner's arrives).
/// </summary>
internal sealed class ChatWorkload : IConnectionHandler
{
    private readonly LoadTestOptions _options;
    private readonly RunCounters _counters;
    private readonly ReadOnlyMemory<byte> _suffix;
    private readonly bool _private;
    private readonly long _expectedPerMessage;
    private volatile bool _running;

    public ChatWorkload(LoadTestOptions options, RunCounters counters)
    {
        _options = options;
        _counters = counters;
        _private = options.Scenario == Scenario.Private;
        _expectedPerMessage = _private ? 1 : options.Members;
        var padding = options.ChatText ? ChatText.Generate(options.PayloadBytes) : new string('x', options.PayloadBytes);
        _suffix = Encoding.UTF8.GetBytes($"],\"p\":\"{padding}\"}}}}}}");
    }

    public bool IsRoomScenario => !_private && _options.Scenario != Scenario.Connect;

    /// <summary>
    /// Members join their room with a <c>join</c> message and wait for <c>joined</c>. Not against a
    /// verbatim server: every open connection already receives what it sends back, so a connection is
    /// a member once its upgrade succeeded, and the room messages go out as they are.
    /// </summary>
    public bool JoinsByMessage => IsRoomScenario && _options.Protocol == ServerProtocol.Chat;

    public bool OpenLoop => _options.Rate <= 0;

    public bool Running => _running;

    public void Start() => _running = true;

    public void Stop() => _running = false;

    /// <summary>Lays out a connection by its global index: room and sender slot, or private partner.</summary>
    public void Assign(LoadConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var g = connection.Index;
        if (_private)
        {
            connection.Partner = g ^ 1;
            connection.SenderIndex = 0;
            connection.Seen = new SenderSequence[1];
            connection.MessagePrefix = Encoding.UTF8.GetBytes(
                $"{{\"type\":\"notice\",\"data\":{{\"id\":\"{UserId(_options, connection.Partner)}\",\"data\":{{\"lt\":[");
        }
        else if (IsRoomScenario)
        {
            connection.Room = g / _options.Members;
            var member = g % _options.Members;
            connection.Seen = new SenderSequence[_options.Senders];
            if (member < _options.Senders && _options.Scenario != Scenario.Api)
            {
                connection.SenderIndex = member;
                connection.MessagePrefix = Encoding.UTF8.GetBytes(
                    $"{{\"type\":\"room\",\"data\":{{\"roomid\":\"{RoomId(_options, connection.Room)}\",\"data\":{{\"lt\":[");
            }
        }
    }

    public static string UserId(LoadTestOptions options, int index) => options.IdPrefix + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string RoomId(LoadTestOptions options, int room) => options.IdPrefix + "r" + room.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static byte[] JoinMessage(string roomId) => Encoding.UTF8.GetBytes($"{{\"type\":\"join\",\"data\":{{\"roomid\":\"{roomId}\"}}}}");

    public int OnMessage(LoadConnection connection, ReadOnlySpan<byte> json, long receivedAt)
    {
        var marker = json.IndexOf(LoadConnection.LoadMarker);
        return marker >= 0 ? OnLoadMessage(connection, json, marker, receivedAt) : OnOtherMessage(connection, json);
    }

    public ValueTask SendPendingAsync(LoadConnection connection, int count)
    {
        if (!_running || connection.MessagePrefix is null)
        {
            return ValueTask.CompletedTask;
        }

        if (!_private)
        {
            Interlocked.Add(ref connection.InFlight, count);
        }

        return connection.SendLoadAsync(count, connection.SenderIndex, _suffix, _counters, _expectedPerMessage);
    }

    public void OnDropped(LoadConnection connection, string kind)
    {
        Interlocked.Increment(ref _counters.DroppedByServer);
        Interlocked.Decrement(ref _counters.Open);
        _counters.Error(kind);
        connection.Joined?.TrySetResult();
    }

    private int OnLoadMessage(LoadConnection connection, ReadOnlySpan<byte> json, int marker, long now)
    {
        var rest = json[(marker + LoadConnection.LoadMarker.Length)..];
        if (!Utf8Parser.TryParse(rest, out int sender, out var used) || !Utf8Parser.TryParse(rest = rest[(used + 1)..], out long sequence, out used)
            || !Utf8Parser.TryParse(rest[(used + 1)..], out long timestamp, out _))
        {
            _counters.Error("client:unparsable_load_message");
            return 0;
        }

        Interlocked.Increment(ref _counters.Delivered);
        RunCounters.RecordTicks(_counters.Latency, now - timestamp);
        if ((uint)sender < (uint)connection.Seen.Length)
        {
            switch (connection.Seen[sender].Observe(sequence))
            {
                case SequenceObservation.Duplicate:
                    Interlocked.Increment(ref _counters.Duplicated);
                    break;
                case SequenceObservation.Late:
                    Interlocked.Increment(ref _counters.OutOfOrder);
                    break;
            }
        }

        if (_private)
        {
            return OpenLoop && _running ? 1 : 0;
        }

        // PipeChat numbers room messages: every member must see seq, seq + 1, … (peers have no seq).
        var seqAt = json[..marker].IndexOf("\"seq\":"u8);
        if (seqAt >= 0 && Utf8Parser.TryParse(json[(seqAt + 6)..], out long seq, out _))
        {
            if (connection.LastRoomSeq != 0 && seq != connection.LastRoomSeq + 1)
            {
                Interlocked.Increment(ref _counters.SeqGaps);
            }

            connection.LastRoomSeq = seq;
        }

        if (sender == connection.SenderIndex)
        {
            Interlocked.Decrement(ref connection.InFlight);
            return OpenLoop && _running ? 1 : 0;
        }

        return 0;
    }

    private int OnOtherMessage(LoadConnection connection, ReadOnlySpan<byte> json)
    {
        var type = StringValue(json, "\"type\":\""u8);
        if (type.SequenceEqual("joined"u8))
        {
            connection.Joined?.TrySetResult();
        }
        else if (type.SequenceEqual("join"u8) || type.SequenceEqual("leave"u8))
        {
            Interlocked.Increment(ref _counters.Presence);
        }
        else if (type.SequenceEqual("error"u8))
        {
            Interlocked.Increment(ref _counters.ServerErrors);
            _counters.Error("server:" + Encoding.UTF8.GetString(StringValue(json, "\"code\":\""u8)));
        }
        else if (!(type.SequenceEqual("welcome"u8) || type.SequenceEqual("pong"u8) || type.SequenceEqual("ack"u8) || type.SequenceEqual("left"u8)))
        {
            Interlocked.Increment(ref _counters.OtherMessages);
        }

        return 0;
    }

    private static ReadOnlySpan<byte> StringValue(ReadOnlySpan<byte> json, ReadOnlySpan<byte> key)
    {
        var at = json.IndexOf(key);
        if (at < 0)
        {
            return default;
        }

        var value = json[(at + key.Length)..];
        var end = value.IndexOf((byte)'"');
        return end < 0 ? default : value[..end];
    }
}
