using System.Text.Json;

namespace PipeChat.Server.Tests.Chat;

/// <summary>Predicates and field access for received chat messages.</summary>
internal static class Messages
{
    public static Func<Received, bool> OfType(string type) => m => m.Type == type;

    public static Func<Received, bool> WithRef(string type, string reference) => m => m.Type == type && ChatClient.Ref(m) == reference;

    public static Func<Received, bool> Error(string code) => m => m.Type == "error" && ErrorCode(m) == code;

    public static Func<Received, bool> RoomMessage(string roomId) => m => m.Type == "room" && m.Data.GetProperty("roomid").GetString() == roomId;

    public static string? ErrorCode(Received m) => m.Type == "error" ? m.Data.GetProperty("code").GetString() : null;

    public static string Str(this JsonElement e, string name) => e.GetProperty(name).GetString()!;

    public static long Num(this JsonElement e, string name) => e.GetProperty(name).GetInt64();
}
