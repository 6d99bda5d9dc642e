using PipeChat.Server.Rooms;

namespace PipeChat.Server.Tests.Rooms;

[CollectionDefinition(nameof(FrameReferenceTests), DisableParallelization = true)]
public sealed class FrameReferenceCollection;

/// <summary>Runs alone: it watches a frame go back to the shared pool, which other tests also use.</summary>
[Collection(nameof(FrameReferenceTests))]
public class FrameReferenceTests
{
    [Fact]
    public void Publish_takes_exactly_one_reference_per_accepting_member_and_none_for_failing_ones()
    {
        var registry = new RoomRegistry();
        var members = Enumerable.Range(0, 6).Select(i => new FakeConnection("u" + i, accepts: i % 3 != 0) { HoldFrames = true }).ToArray();
        var room = registry.Join("r", members[0]).Room;
        foreach (var m in members.Skip(1))
        {
            registry.Join("r", m);
        }

        var frame = FakeConnection.Text("counted");
        var delivered = room.Publish(frame);

        Assert.Equal(4, delivered);
        Assert.Equal(delivered, members.Sum(m => m.ReferencesTaken));
        Assert.All(members.Where((_, i) => i % 3 == 0), m => Assert.Equal(0, m.ReferencesTaken));

        // Every holder (and the publisher) releases once: what remains is the room feed's one
        // lasting reference (the feed's frames go to the garbage collector, not back to the pool).
        foreach (var m in members)
        {
            m.ReleaseAll();
        }

        Assert.Equal("counted"u8.ToArray(), frame.Payload.ToArray());
        frame.Release();
        Assert.Equal(1, frame.ReferenceCount);
        Assert.Equal("counted"u8.ToArray(), frame.Payload.ToArray());
    }

    [Fact]
    public void Private_and_broadcast_fan_out_return_the_frame_to_the_pool_after_the_last_release()
    {
        var directory = new UserDirectory();
        var members = Enumerable.Range(0, 30).Select(i => new FakeConnection("u" + (i % 10)) { HoldFrames = true }).ToArray();
        foreach (var m in members)
        {
            directory.TryAdd(m, 5);
        }

        var frame = FakeConnection.Text("private");
        var delivered = directory.SendToUser("u7", frame) + directory.Broadcast(frame);

        Assert.Equal(3 + 30, delivered);
        Assert.Equal(1 + delivered, frame.ReferenceCount);
        foreach (var m in members)
        {
            m.ReleaseAll();
        }

        Assert.Equal(1, frame.ReferenceCount);
        frame.Release();
        Assert.ThrowsAny<ArgumentException>(() => frame.Frame);
    }

    [Fact]
    public void Room_publish_and_private_message_fan_out_balance_references()
    {
        var registry = new RoomRegistry();
        var directory = new UserDirectory();
        var members = Enumerable.Range(0, 300).Select(i => new FakeConnection("u" + (i % 100)) { HoldFrames = true }).ToArray();
        foreach (var m in members)
        {
            registry.Join("r", m);
            directory.TryAdd(m, 5);
        }

        Assert.True(registry.TryGetRoom("r", out var room));
        var frame = FakeConnection.Text("both");
        var delivered = room.Publish(frame) + directory.SendToUser("u7", frame) + directory.Broadcast(frame);

        Assert.Equal(300 + 3 + 300, delivered);
        Assert.Equal(delivered, members.Sum(m => m.Held.Count));
        foreach (var m in members)
        {
            m.ReleaseAll();
        }

        Assert.Equal(4, frame.PayloadLength);
        _ = frame.Frame;
        frame.Release();
        Assert.Equal(1, frame.ReferenceCount);
    }
}
