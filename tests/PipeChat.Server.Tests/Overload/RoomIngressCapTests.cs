using PipeChat.Protocol.Chat;
using PipeChat.Server.Rooms;

namespace PipeChat.Server.Tests.Overload;

/// <summary>A room's ingress cap: low dropped first, then normal, high never; a share kept for high.</summary>
public sealed class RoomIngressCapTests
{
    private const long T0 = 1_000_000;

    [Fact]
    public void Normal_alone_gets_the_rate_per_second_and_high_is_never_dropped()
    {
        var cap = new RoomIngressCap(rate: 10, highShare: 0.5, T0);

        Assert.Equal(10, Admitted(cap, MessagePriority.Normal, 50, T0));
        Assert.Equal(50, Admitted(cap, MessagePriority.High, 50, T0));

        // A second later: another second's worth.
        Assert.Equal(10, Admitted(cap, MessagePriority.Normal, 50, T0 + 1000 + 500));
    }

    [Fact]
    public void Low_alone_is_capped_below_normal_by_a_cushion()
    {
        var cap = new RoomIngressCap(rate: 10, highShare: 0.5, T0);

        Assert.Equal(9, Admitted(cap, MessagePriority.Low, 50, T0));
        Assert.Equal(1, Admitted(cap, MessagePriority.Normal, 50, T0));
    }

    [Fact]
    public void Under_a_mix_over_the_rate_low_is_dropped_first_then_normal()
    {
        var cap = new RoomIngressCap(rate: 100, highShare: 0.2, T0);
        Admitted(cap, MessagePriority.Normal, 1000, T0); // empties the burst

        // Then one second of 10 ms steps: 5 low and 1 normal each step (600/s for a cap of 100/s), 1 high every 100 ms.
        int low = 0, normal = 0, high = 0;
        for (var step = 1; step <= 100; step++)
        {
            var now = T0 + (step * 10);
            if (step % 10 == 0)
            {
                high += Admitted(cap, MessagePriority.High, 1, now);
            }

            normal += Admitted(cap, MessagePriority.Normal, 1, now);
            low += Admitted(cap, MessagePriority.Low, 5, now);
        }

        // The room carries its rate: high first (never dropped), normal the rest, low nothing while normal fills it.
        Assert.Equal(10, high);
        Assert.Equal(90, normal);
        Assert.Equal(0, low);
    }

    [Fact]
    public void The_high_share_is_kept_for_high_while_low_and_normal_are_over_the_cap()
    {
        var cap = new RoomIngressCap(rate: 10, highShare: 0.5, T0);
        Assert.Equal(10, Admitted(cap, MessagePriority.Normal, 100, T0));

        // Normal cannot take the last 5 tokens (the high share): high can.
        Assert.Equal(0, Admitted(cap, MessagePriority.Normal, 100, T0));
        Assert.Equal(5, cap.Tokens);
        Assert.Equal(5, Admitted(cap, MessagePriority.High, 5, T0));
        Assert.Equal(0, cap.Tokens);

        // After 1 s the bucket has 10 tokens again: normal may take the 5 above the share.
        Assert.Equal(5, Admitted(cap, MessagePriority.Normal, 100, T0 + 1000));
    }

    [Fact]
    public void The_node_wide_default_and_a_rooms_own_rate()
    {
        var ingress = new RoomIngress(defaultRate: 0, highShare: 0.2);
        Assert.False(ingress.Active);

        ingress.SetRoomRate("hot", 5);
        Assert.True(ingress.Active);
        var admitted = Enumerable.Range(0, 20).Count(_ => ingress.TryAdmit("hot", MessagePriority.Normal, T0));
        Assert.Equal(5, admitted);
        Assert.True(Enumerable.Range(0, 20).All(_ => ingress.TryAdmit("other", MessagePriority.Low, T0)));

        ingress.SetRoomRate("hot", 0);
        Assert.True(Enumerable.Range(0, 20).All(_ => ingress.TryAdmit("hot", MessagePriority.Low, T0)));
    }

    private static int Admitted(RoomIngressCap cap, MessagePriority priority, int count, long now)
        => Enumerable.Range(0, count).Count(_ => cap.TryAdmit(priority, now));
}
