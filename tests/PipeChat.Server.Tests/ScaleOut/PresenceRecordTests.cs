using System.Text;
using PipeChat.Server.ScaleOut;

namespace PipeChat.Server.Tests.ScaleOut;

/// <summary>The presence record a node reads from a room's Redis channel ("J|L count node connection user"); no Redis needed.</summary>
public sealed class PresenceRecordTests
{
    [Theory]
    [InlineData("J 3 a1b2c3 42 alice", true, 3, "a1b2c3", 42, "alice")]
    [InlineData("L 0 - 0 bob@x.y:z", false, 0, "-", 0, "bob@x.y:z")]
    public void Parses_join_and_leave_records(string raw, bool join, int count, string node, long connection, string user)
    {
        Assert.True(RedisScaleOut.TryParsePresence(Encoding.UTF8.GetBytes(raw), out var isJoin, out var parsedCount, out var parsedNode, out var parsedConnection, out var parsedUser));
        Assert.Equal((join, count, node, connection, user), (isJoin, parsedCount, Encoding.ASCII.GetString(parsedNode), parsedConnection, parsedUser));
    }

    [Theory]
    [InlineData("")]
    [InlineData("J")]
    [InlineData("J ")]
    [InlineData("X 3 n 1 u")]
    [InlineData("J x n 1 u")]
    [InlineData("J -1 n 1 u")]
    [InlineData("J 3 n 1 ")]
    [InlineData("J 3 n 1")]
    [InlineData("J 3  1 u")]
    [InlineData("J 3 n x u")]
    [InlineData("12 ep 1 {}")]
    public void Rejects_anything_else(string raw)
        => Assert.False(RedisScaleOut.TryParsePresence(Encoding.UTF8.GetBytes(raw), out _, out _, out _, out _, out _));
}
