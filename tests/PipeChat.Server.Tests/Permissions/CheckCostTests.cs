using PipeChat.Server.Auth;
using PipeChat.Server.Routing;

namespace PipeChat.Server.Tests.Permissions;

/// <summary>The per-message permission checks allocate nothing, restricted rooms or not.</summary>
public sealed class CheckCostTests
{
    [Fact]
    public void Send_and_join_checks_allocate_nothing()
    {
        var cache = new ModerationCache();
        var access = new RoomAccess(["lobby", "class-*"], ["class-1"]);
        Span<char> room = stackalloc char[16];
        "class-2".AsSpan().CopyTo(room);
        var roomId = room[..7];

        Run(cache, access, roomId, 10);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(cache, access, roomId, 1000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        // With restrictions in place (another room read-only, a user muted here).
        cache.GetOrAdd("other").ReadOnly = true;
        RoomRestrictions.Set(cache.GetOrAdd("class-2").MutedUntil, "mallory", ModerationCache.EndOf(600));
        Run(cache, access, roomId, 10);
        before = GC.GetAllocatedBytesForCurrentThread();
        Run(cache, access, roomId, 1000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(SendCheck.Muted, cache.CheckSend(roomId, "mallory", out var left));
        Assert.InRange(left!.Value, 599, 600);
    }

    private static void Run(ModerationCache cache, RoomAccess access, ReadOnlySpan<char> roomId, int times)
    {
        var allowed = 0;
        for (var i = 0; i < times; i++)
        {
            if (cache.CheckSend(roomId, "alice", out _) == SendCheck.Allowed && !cache.IsBanned(roomId, "alice", out _)
                && access.MayJoin(roomId) && !access.Moderates(roomId))
            {
                allowed++;
            }
        }

        // Asserted outside the loop: the assertion library allocates.
        if (allowed != times)
        {
            Assert.Fail($"{times - allowed} checks refused");
        }
    }
}
