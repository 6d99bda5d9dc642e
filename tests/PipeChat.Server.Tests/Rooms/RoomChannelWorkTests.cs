using System.Text.Json;
using PipeChat.Protocol.Chat;
using PipeChat.Server.Buffers;
using PipeChat.Server.Rooms;
using PipeChat.Server.Routing;

namespace PipeChat.Server.Tests.Rooms;

/// <summary>
/// Joins and history reads queue on the room channel like messages: their caller never waits for
/// ownership (before, it spun on the caller's thread, without bound under a steady stream), and
/// they still run between two messages: no gap, no duplicate.
/// </summary>
public sealed class RoomChannelWorkTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_join_behind_a_busy_owner_returns_at_once_then_lands_between_two_messages()
    {
        var (registry, channel, room, release, owner) = BusyRoom();
        Post(channel, room, "m2"); // Queued behind the owner.
        var joiner = new FakeConnection("joiner");
        var join = new RoomJoin(registry, joiner, new ConnectionRooms(), "r", "\"j\""u8.ToArray(), since: 0, epoch: [], presenceLimit: 100);

        var caller = Task.Run(() => channel.Run(join));
        Assert.True(await Task.WhenAny(caller, Task.Delay(Timeout)) == caller, "the join's caller waited for the channel's owner");
        Assert.False(join.IsFinished);
        var completion = join.Completion;
        Post(channel, room, "m3"); // After the join.
        release.Set();

        await completion.WaitAsync(Timeout);
        await owner.WaitAsync(Timeout);
        Assert.Equal(["joined 2", "m1", "m2", "m3"], joiner.Received.Select(Describe));
        Assert.Equal(3, channel.LastSeq);
    }

    [Fact]
    public async Task A_history_read_behind_a_busy_owner_returns_at_once_then_answers_with_what_came_before_it()
    {
        var (_, channel, room, release, owner) = BusyRoom();
        Post(channel, room, "m2");
        var reader = new FakeConnection("reader");
        var read = new HistoryRead(reader, "\"h\""u8.ToArray(), long.MaxValue, 50);

        var caller = Task.Run(() => channel.Run(read));
        Assert.True(await Task.WhenAny(caller, Task.Delay(Timeout)) == caller, "the history read's caller waited for the channel's owner");
        Assert.False(read.IsFinished);
        Assert.Empty(reader.Received);
        var completion = read.Completion;
        Post(channel, room, "m3");
        release.Set();

        await completion.WaitAsync(Timeout);
        await owner.WaitAsync(Timeout);
        using var history = JsonDocument.Parse(Assert.Single(reader.Received));
        Assert.Equal("history", history.RootElement.GetProperty("type").GetString());
        Assert.Equal(["m1", "m2"], history.RootElement.GetProperty("data").GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("data").GetProperty("data").GetString()));
    }

    [Fact]
    public async Task A_join_completes_during_a_steady_stream_and_its_member_sees_every_later_message_once()
    {
        var registry = new RoomRegistry();
        var channel = new RoomChannels(1000, 3_600_000).GetOrCreate("r");
        var watcher = new FakeConnection("watcher");
        var room = registry.Join("r", watcher).Room;
        var joiner = new FakeConnection("joiner");
        var join = new RoomJoin(registry, joiner, new ConnectionRooms(), "r", "\"j\""u8.ToArray(), since: null, epoch: [], presenceLimit: 0);
        using var stop = new CancellationTokenSource();
        var posted = 0;
        var producer = Task.Factory.StartNew(
            () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    Post(channel, room, "m" + (posted + 1));
                    posted++;
                }
            },
            TaskCreationOptions.LongRunning);

        while (Volatile.Read(ref posted) < 500)
        {
            await Task.Yield();
        }

        channel.Run(join);
        await join.Completion.WaitAsync(Timeout);
        Assert.False(producer.IsCompleted, "the stream kept going while the join ran");
        var joinedAt = Volatile.Read(ref posted);
        while (Volatile.Read(ref posted) < joinedAt + 500)
        {
            await Task.Yield();
        }

        await stop.CancelAsync();
        await producer.WaitAsync(Timeout);
        var total = posted;
        Assert.True(SpinWait.SpinUntil(() => watcher.Received.Count == total && channel.LastSeq == total, Timeout));

        var seen = joiner.Received.Select(Describe).ToList();
        var lastSeqAtJoin = int.Parse(seen[0]["joined ".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(Enumerable.Range(lastSeqAtJoin + 1, total - lastSeqAtJoin).Select(i => "m" + i), seen.Skip(1));
    }

    [Fact]
    public async Task Work_that_reaches_a_retired_channel_runs_on_the_rooms_new_channel()
    {
        var channels = new RoomChannels(100, historyMaxAgeMs: 0);
        var retired = channels.GetOrCreate("r");
        Assert.Equal(1, channels.Sweep(Environment.TickCount64 + 1_000, _ => false));
        Assert.True(retired.IsRetired);

        var work = new RecordingWork();
        retired.Run(work);
        await work.Completion.WaitAsync(Timeout);

        Assert.NotNull(work.RanOn);
        Assert.NotSame(retired, work.RanOn);
        Assert.False(work.RanOn.IsRetired);
        Assert.Same(channels.GetOrCreate("r"), work.RanOn);
    }

    /// <summary>A room whose channel is owned by another thread, stuck fanning out "m1" until the returned event is set.</summary>
    private static (RoomRegistry Registry, RoomChannel Channel, Room Room, ManualResetEventSlim Release, Task Owner) BusyRoom()
    {
        var registry = new RoomRegistry();
        var channel = new RoomChannels(100, 3_600_000).GetOrCreate("r");
        var owning = new ManualResetEventSlim();
        var release = new ManualResetEventSlim();
        var blocker = new FakeConnection("blocker");
        var first = true;
        blocker.OnAccepted = () =>
        {
            if (first)
            {
                first = false;
                owning.Set();
                release.Wait();
            }
        };
        var room = registry.Join("r", blocker).Room;
        var owner = Task.Factory.StartNew(() => Post(channel, room, "m1"), TaskCreationOptions.LongRunning);
        Assert.True(owning.Wait(Timeout));
        return (registry, channel, room, release, owner);
    }

    private static void Post(RoomChannel channel, Room room, string text)
    {
        var frame = SharedFrame.Rent(160 + text.Length);
        ChatMessageWriter.WriteRoom(frame, room.Id, "sender", 1_700_000_000_000, System.Text.Encoding.UTF8.GetBytes("\"" + text + "\""), out var slot);
        channel.Post(new PendingRoomMessage(room, frame, slot, null, null, 0));
    }

    /// <summary>"joined LASTSEQ" or the room message's text.</summary>
    private static string Describe(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var data = root.GetProperty("data");
        return root.GetProperty("type").GetString() switch
        {
            "joined" => "joined " + data.GetProperty("seq").GetInt64(),
            "room" => data.GetProperty("data").GetString()!,
            var other => other!,
        };
    }

    private sealed class RecordingWork : RoomChannelWork
    {
        public RoomChannel? RanOn { get; private set; }

        protected internal override void Execute(RoomChannel channel) => RanOn = channel;
    }
}
