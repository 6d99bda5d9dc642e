using System.Text;
using PipeChat.Server.ScaleOut;

namespace PipeChat.Server.Tests.ScaleOut;

/// <summary>What goes over Redis pub/sub (room entries, presence records, disconnect requests), encoded and decoded; no Redis needed.</summary>
public sealed class RedisWireFormatTests
{
    [Theory]
    [InlineData("J 3 a1b2c3 42 alice", true, 3, "a1b2c3", 42, "alice")]
    [InlineData("L 0 - 0 bob@x.y:z", false, 0, "-", 0, "bob@x.y:z")]
    public void Parses_join_and_leave_records(string raw, bool join, int count, string node, long connection, string user)
    {
        Assert.True(RedisWireFormat.IsPresence(Encoding.UTF8.GetBytes(raw)));
        Assert.True(RedisWireFormat.TryParsePresence(Encoding.UTF8.GetBytes(raw), out var isJoin, out var parsedCount, out var parsedNode, out var parsedConnection, out var parsedUser));
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
    public void Rejects_anything_else_as_a_presence_record(string raw)
        => Assert.False(RedisWireFormat.TryParsePresence(Encoding.UTF8.GetBytes(raw), out _, out _, out _, out _, out _));

    [Fact]
    public void A_presence_record_round_trips()
    {
        var raw = RedisWireFormat.EncodePresence(join: false, 7, "n0de", 12345, "ünï");
        Assert.True(RedisWireFormat.TryParsePresence(raw, out var join, out var count, out var node, out var connection, out var user));
        Assert.Equal((false, 7, "n0de", 12345L, "ünï"), (join, count, Encoding.ASCII.GetString(node), connection, user));
    }

    [Fact]
    public void A_room_entry_round_trips_and_keeps_its_json_byte_for_byte()
    {
        var json = Encoding.UTF8.GetBytes("""{"type":"room","data":{"roomid":"r 1","seq":42,"data":"a b c 弹幕"}}""");
        var raw = RedisWireFormat.EncodeEntry(42, "0123abcd", 1_700_000_000_123, json);
        Assert.False(RedisWireFormat.IsPresence(raw));
        Assert.True(RedisWireFormat.TryParseEntry(raw, out var seq, out var epoch, out var storedAt, out var parsed));
        Assert.Equal((42L, "0123abcd", 1_700_000_000_123L), (seq, epoch, storedAt));
        Assert.Equal(json, parsed.ToArray());
    }

    [Theory]
    [InlineData("")]
    [InlineData("0 ep 1 {}")]
    [InlineData("x ep 1 {}")]
    [InlineData("5  1 {}")]
    [InlineData("5 ep x {}")]
    [InlineData("5 ep 1")]
    [InlineData("5 ep")]
    public void Rejects_a_malformed_room_entry(string raw)
        => Assert.False(RedisWireFormat.TryParseEntry(Encoding.UTF8.GetBytes(raw), out _, out _, out _, out _));

    [Theory]
    [InlineData(0L, "")]
    [InlineData(981L, "kicked by moderator")]
    public void A_disconnect_request_round_trips_and_is_never_taken_for_a_notice(long connection, string reason)
    {
        var raw = RedisWireFormat.EncodeDisconnect(connection, Encoding.UTF8.GetBytes(reason));
        Assert.True(RedisWireFormat.IsDisconnect(raw));
        Assert.True(RedisWireFormat.TryParseDisconnect(raw, out var parsedConnection, out var parsedReason));
        Assert.Equal((connection, reason), (parsedConnection, Encoding.UTF8.GetString(parsedReason)));
        Assert.False(RedisWireFormat.IsDisconnect("""{"type":"notice"}"""u8));
    }

    [Theory]
    [InlineData("\0")]
    [InlineData("\0 reason")]
    [InlineData("\0-1 reason")]
    [InlineData("\0x reason")]
    [InlineData("{\"type\":\"notice\"}")]
    public void Rejects_a_malformed_disconnect_request(string raw)
        => Assert.False(RedisWireFormat.TryParseDisconnect(Encoding.UTF8.GetBytes(raw), out _, out _));
}
