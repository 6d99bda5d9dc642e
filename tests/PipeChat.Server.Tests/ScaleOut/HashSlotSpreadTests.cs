using PipeChat.Server.ScaleOut;

namespace PipeChat.Server.Tests.ScaleOut;

/// <summary>Room keys on a Redis Cluster: one slot per room (hash tag), rooms spread evenly over the shards. Pure: no Redis.</summary>
public sealed class HashSlotSpreadTests
{
    [Theory]
    [InlineData("lobby")]
    [InlineData("a}b")]
    [InlineData("}starts-with-brace")]
    [InlineData("{braces}")]
    [InlineData("房间-42")]
    public void Every_key_and_the_channel_of_a_room_share_one_slot(string roomId)
    {
        var slot = RedisKeys.Slot(RedisKeys.RoomChannelName(roomId));
        Assert.All(RedisKeys.Room(roomId), key => Assert.Equal(slot, RedisKeys.Slot(key!)));
        Assert.Equal(slot, RedisKeys.Slot(RedisKeys.RoomNodes(roomId)!));
        Assert.Equal(slot, RedisKeys.Slot(RedisKeys.NodeRoom("0123456789ab", roomId)!));
        Assert.Equal(slot, RedisKeys.Slot(RedisKeys.RoomKey(roomId, "moderation")!));
    }

    [Fact]
    public void Slot_matches_the_Redis_Cluster_specification()
    {
        // Values from CLUSTER KEYSLOT on redis-server 7.
        Assert.Equal(12182, RedisKeys.Slot("foo"));
        Assert.Equal(5061, RedisKeys.Slot("bar"));
        Assert.Equal(12182, RedisKeys.Slot("{foo}.bar"));
        Assert.Equal(RedisKeys.Slot("{}x"), RedisKeys.Slot("{}x"));
    }

    [Fact]
    public void Ten_thousand_rooms_spread_evenly_over_three_masters()
    {
        // redis-cli --cluster create splits the 16384 slots into three even ranges.
        int[] ends = [5460, 10922, 16383];
        var perShard = new int[3];
        for (var i = 0; i < 10_000; i++)
        {
            var slot = RedisKeys.Slot(RedisKeys.RoomChannelName("room-" + i));
            perShard[Array.FindIndex(ends, end => slot <= end)]++;
        }

        // Even within 5 % of the mean (3333): a binomial spread has a standard deviation of about 47.
        Assert.All(perShard, count => Assert.InRange(count, 3167, 3500));
    }

    [Fact]
    public void Ten_thousand_rooms_use_many_distinct_slots()
    {
        var slots = Enumerable.Range(0, 10_000).Select(i => RedisKeys.Slot(RedisKeys.RoomChannelName("user-room-" + i))).Distinct().Count();

        // 10,000 draws over 16384 slots leave about 7,500 distinct: all rooms on a few slots would be far below.
        Assert.InRange(slots, 7000, 8000);
    }
}
