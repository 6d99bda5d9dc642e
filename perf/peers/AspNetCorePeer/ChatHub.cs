using System.Collections.Concurrent;
using System.Text.Json;

namespace AspNetCorePeer;

/// <summary>Rooms and users in concurrent dictionaries; messages parsed with JsonDocument and written with JsonSerializer.</summary>
internal sealed class ChatHub
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<ChatConnection, byte>> _rooms = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<ChatConnection, byte>> _users = new();

    public void Connect(ChatConnection connection)
    {
        _users.GetOrAdd(connection.UserId, _ => new())[connection] = 0;
        connection.Send(Serialize(new { type = "welcome", data = new { id = connection.UserId } }));
    }

    public void Disconnect(ChatConnection connection)
    {
        foreach (var room in connection.Rooms)
        {
            Leave(connection, room);
        }

        if (_users.TryGetValue(connection.UserId, out var connections))
        {
            connections.TryRemove(connection, out _);
        }

        connection.Complete();
    }

    public void Handle(ChatConnection connection, ReadOnlyMemory<byte> message)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(message);
        }
        catch (JsonException)
        {
            connection.Send(Error("bad_json", "please send data in the right format"));
            return;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            {
                connection.Send(Error("bad_request", "type is required"));
                return;
            }

            root.TryGetProperty("data", out var data);
            switch (type.GetString())
            {
                case "join" when TryGetString(data, "roomid", out var roomId):
                    var members = _rooms.GetOrAdd(roomId, _ => new());
                    members[connection] = 0;
                    lock (connection.Rooms)
                    {
                        connection.Rooms.Add(roomId);
                    }

                    connection.Send(Serialize(new { type = "joined", data = new { roomid = roomId, count = members.Count } }));
                    break;
                case "leave" when TryGetString(data, "roomid", out var roomId):
                    Leave(connection, roomId);
                    connection.Send(Serialize(new { type = "left", data = new { roomid = roomId } }));
                    break;
                case "room" when TryGetString(data, "roomid", out var roomId) && data.TryGetProperty("data", out var payload):
                    if (!_rooms.TryGetValue(roomId, out var room) || !room.ContainsKey(connection))
                    {
                        connection.Send(Error("not_in_room", "you have not joined this room"));
                        break;
                    }

                    var roomMessage = Serialize(new { type = "room", data = new { roomid = roomId, from = connection.UserId, data = payload } });
                    foreach (var member in room.Keys)
                    {
                        member.Send(roomMessage);
                    }

                    break;
                case "notice" when TryGetString(data, "id", out var to) && data.TryGetProperty("data", out var payload):
                    if (!_users.TryGetValue(to, out var targets) || targets.IsEmpty)
                    {
                        connection.Send(Error("offline", "the other side is offline"));
                        break;
                    }

                    var notice = Serialize(new { type = "notice", from = connection.UserId, data = payload });
                    foreach (var target in targets.Keys)
                    {
                        target.Send(notice);
                    }

                    break;
                case "ping":
                    connection.Send(Serialize(new { type = "pong" }));
                    break;
                default:
                    connection.Send(Error("bad_request", "unknown or incomplete request"));
                    break;
            }
        }
    }

    private void Leave(ChatConnection connection, string roomId)
    {
        if (_rooms.TryGetValue(roomId, out var members))
        {
            members.TryRemove(connection, out _);
        }
    }

    private static bool TryGetString(JsonElement data, string name, out string value)
    {
        value = "";
        if (data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.String)
        {
            value = property.GetString()!;
            return true;
        }

        return false;
    }

    private static byte[] Error(string code, string message) => Serialize(new { type = "error", data = new { code, message } });

    private static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value);
}
