using System.Text;
using PipeChat.Protocol.Chat;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Buffers;
using PipeChat.Server.Rooms;

namespace PipeChat.Server.Routing;

/// <summary>
/// A join, run as the room channel's owner (between two of the room's messages): adds the
/// member, tells the others, answers <c>joined</c> with the last seq and epoch, then replays
/// what a resuming client missed from the kept history, or answers <c>reset</c> when the history
/// no longer covers it. A join by a user whose dropped connection's leave is still held
/// (<see cref="PresenceGrace"/>) announces nothing. The hooks let another source of seqs align the channel first, announce
/// the join itself and replay from what it holds.
/// </summary>
internal class RoomJoin(RoomRegistry rooms, IRoomMember member, ConnectionRooms joined, string roomId, byte[] reference, long? since, byte[] epoch, int presenceLimit, PresenceGrace? grace = null)
    : RoomChannelWork
{
    protected IRoomMember Member => member;

    protected string RoomId => roomId;

    protected internal override void Execute(RoomChannel channel)
    {
        var room = joined.Find(roomId);
        Align(channel, rooms.TryGetRoom(roomId, out var existing) ? existing : null);
        if (room is null)
        {
            var result = rooms.Join(roomId, member);
            if (result.Status == RoomJoinStatus.RoomFull)
            {
                Refused();
                ChatReplies.Error(member, ChatErrors.RoomFull, reference);
                return;
            }

            room = result.Room;
            joined.Add(room);
            var count = room.MemberCount;

            // Back within the grace of a dropped connection (same user, same room): the others saw no leave, so no join either.
            var resumed = grace is not null && grace.TryTake(roomId, member.UserId);
            if (!resumed && !Announce(room) && count <= presenceLimit)
            {
                var joinEvent = SharedFrame.Rent(64 + (room.Id.Length * 6) + member.UserId.Length);
                ChatMessageWriter.WriteJoinEvent(joinEvent, room.Id, member.UserId, count);
                joinEvent.Seal(WebSocketOpcode.Text);
                room.Publish(joinEvent, except: member);
                joinEvent.Release();
            }
        }

        channel.History.Trim(Environment.TickCount64);
        var lastSeq = channel.LastSeq;
        var reply = SharedFrame.Rent(128 + (room.Id.Length * 6) + reference.Length);
        ChatMessageWriter.WriteJoined(reply, reference, room.Id, room.MemberCount, lastSeq, channel.Epoch);
        ChatReplies.Send(member, reply);
        if (since is not { } from)
        {
            return;
        }

        var sameEpoch = epoch.Length == 0 || Ascii.Equals(epoch, channel.Epoch);
        if (sameEpoch && Replay(channel, from, lastSeq))
        {
            return;
        }

        var reset = SharedFrame.Rent(128 + (room.Id.Length * 6) + reference.Length);
        ChatMessageWriter.WriteReset(reset, reference, room.Id, lastSeq, channel.Epoch);
        ChatReplies.Send(member, reset);
    }

    /// <summary>Before anything else: bring the channel up to date (<paramref name="existing"/>: the room before the joiner is added).</summary>
    protected virtual void Align(RoomChannel channel, Room? existing)
    {
    }

    /// <summary>The room was full: the member is not added.</summary>
    protected virtual void Refused()
    {
    }

    /// <summary>Tells the others about the new member some other way; false: the room's local members get the join event here.</summary>
    protected virtual bool Announce(Room room) => false;

    /// <summary>Sends the member every message after <paramref name="from"/> up to <paramref name="lastSeq"/>; false (nothing sent) when they are not all kept.</summary>
    protected virtual bool Replay(RoomChannel channel, long from, long lastSeq)
    {
        if (from > lastSeq || !channel.History.Covers(from, lastSeq))
        {
            return false;
        }

        foreach (var frame in channel.History.After(from))
        {
            member.TrySend(frame);
        }

        return true;
    }
}
