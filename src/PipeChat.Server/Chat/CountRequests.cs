using System.Text;
using PipeChat.Protocol.Chat;
using PipeChat.Server.Configuration;
using PipeChat.Server.Connections;
using PipeChat.Server.Rooms;
using PipeChat.Server.Routing;

namespace PipeChat.Server.Chat;

/// <summary>
/// <c>count</c> requests: an increment to a room counter (likes), checked against the
/// connection's rooms like a room message, then added to the <see cref="ICounterHub"/>, which
/// sends the coalesced value to the room at most once per interval. Acked when it had a ref.
/// </summary>
internal sealed class CountRequests(ServerOptions options, RoomRegistry rooms, ICounterHub counters)
{
    public Task Count(IWebSocketConnection session, ChatConnectionState state, in ChatRequest request)
    {
        Span<char> roomId = stackalloc char[ChatRequestParser.MaxIdLength];
        roomId = roomId[..Encoding.UTF8.GetChars(request.RoomId, roomId)];
        var room = state.Rooms.Find(roomId);
        if (room is null && !(options.AllowSendWithoutJoin && rooms.TryGetRoom(roomId, out room)))
        {
            ChatReplies.Error(session, ChatErrors.NotInRoom, request.Ref);
            return Task.CompletedTask;
        }

        Span<char> name = stackalloc char[ChatRequestParser.MaxCounterNameLength];
        name = name[..Encoding.UTF8.GetChars(request.CounterName, name)];
        if (!counters.Add(room.Id, name, request.By))
        {
            ChatReplies.Error(session, ChatErrors.TooManyCounters, request.Ref);
            return Task.CompletedTask;
        }

        ChatReplies.Ack(session, request.Ref);
        return Task.CompletedTask;
    }
}
