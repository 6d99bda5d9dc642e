using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace PipeChat.Server.ScaleOut;

/// <summary>
/// Moderation over Redis pub/sub (docs/scale-out.md). On a room's channel, beside its messages and
/// presence records: a recall <c>R seq by</c> and a ban's eviction <c>B user</c>. On the moderation
/// channel: a change <c>room\nfield\nvalue</c> (field "ro", "m:user" or "b:user"; value "" lifts).
/// </summary>
internal static class RedisModerationWire
{
    /// <summary>Whether a room channel message is a recall or an eviction (entries start with a digit, presence with J or L).</summary>
    public static bool IsModeration(ReadOnlySpan<byte> message) => message.Length > 2 && message[0] is (byte)'R' or (byte)'B' && message[1] == (byte)' ';

    public static byte[] EncodeRecall(long seq, string by) => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"R {seq} {by}"));

    public static byte[] EncodeEviction(string userId) => Encoding.UTF8.GetBytes("B " + userId);

    public static bool TryParseRecall(ReadOnlySpan<byte> message, out long seq, out string by)
    {
        by = "";
        seq = 0;
        if (message.Length < 3 || message[0] != (byte)'R' || !Utf8Parser.TryParse(message[2..], out seq, out var used))
        {
            return false;
        }

        var rest = message[(2 + used)..];
        if (rest.Length < 2 || rest[0] != (byte)' ')
        {
            return false;
        }

        by = Encoding.UTF8.GetString(rest[1..]);
        return seq > 0;
    }

    public static bool TryParseEviction(ReadOnlySpan<byte> message, out string userId)
    {
        userId = message.Length > 2 && message[0] == (byte)'B' ? Encoding.UTF8.GetString(message[2..]) : "";
        return userId.Length > 0;
    }

    public static string EncodeChange(string roomId, string field, string value) => roomId + "\n" + field + "\n" + value;

    /// <summary>Parses "room\nfield\nvalue" from the end (a room id may hold anything; fields and values hold no newline).</summary>
    public static bool TryParseChange(string message, out string roomId, out string field, out string value)
    {
        roomId = field = value = "";
        var last = message.LastIndexOf('\n');
        var middle = last > 0 ? message.LastIndexOf('\n', last - 1) : -1;
        if (middle <= 0)
        {
            return false;
        }

        roomId = message[..middle];
        field = message[(middle + 1)..last];
        value = message[(last + 1)..];
        return true;
    }
}
