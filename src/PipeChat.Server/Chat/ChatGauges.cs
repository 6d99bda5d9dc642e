using PipeChat.Server.Rooms;
using PipeChat.Server.Routing;

namespace PipeChat.Server.Chat;

/// <summary>The chat layer's gauges for /metrics: rooms, kept channels, users and connections, plus the router's own.</summary>
internal sealed class ChatGauges(RoomRegistry rooms, RoomChannels channels, UserDirectory users, IChatRouter router)
{
    public (string Name, string Help, long Value)[] Read()
    {
        var gauges = new List<(string Name, string Help, long Value)>(5)
        {
            ("pipechat_rooms", "rooms with at least one member", rooms.RoomCount),
            ("pipechat_room_channels", "room ids whose seq and history are kept", channels.Count),
            ("pipechat_users_online", "distinct user ids connected", users.TotalUsers),
            ("pipechat_chat_connections", "connections registered with the chat layer", users.TotalConnections),
        };
        router.AddGauges(gauges);
        return [.. gauges];
    }
}
