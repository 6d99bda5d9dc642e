using PipeChat.Server.Rooms;
using PipeChat.Server.Routing;

namespace PipeChat.Server.ScaleOut;

/// <summary>
/// A join with Redis: the channel first aligns with <paramref name="snapshot"/> (read after this
/// node subscribed to the room, so every later message arrives on the subscription), the join
/// event goes through Redis to members on every node, and a resuming client is replayed from the
/// snapshot and the local history. With no snapshot (Redis unreachable) it joins as a single node.
/// </summary>
internal sealed class RedisRoomJoin(
    RoomRegistry rooms,
    IRoomMember member,
    ConnectionRooms joined,
    string roomId,
    byte[] reference,
    long? since,
    byte[] epoch,
    int presenceLimit,
    RoomSnapshot? snapshot,
    RedisPresence presence,
    RedisSubscriptions subscriptions)
    : RoomJoin(rooms, member, joined, roomId, reference, since, epoch, presenceLimit)
{
    protected override void Align(RoomChannel channel, Room? existing)
    {
        if (snapshot is not null)
        {
            RedisRoomOrder.Of(channel).ApplySnapshot(channel, snapshot, existing, catchUp: false);
        }
    }

    protected override void Refused() => subscriptions.ReleaseRoom(RoomId);

    protected override bool Announce(Room room) => presence.TryRoomPresence(room.Id, Member.UserId, Member.ConnectionId, 1) is not null;

    protected override bool Replay(RoomChannel channel, long from, long lastSeq)
        => snapshot is null ? base.Replay(channel, from, lastSeq) : RedisRoomOrder.TryReplay(channel, Member, from, snapshot);
}
