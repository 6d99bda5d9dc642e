using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace PipeChat.Server.ScaleOut;

/// <summary>
/// What travels over Redis pub/sub and in room history (docs/scale-out.md), encoded and decoded
/// without Redis. On a room's channel: a room message entry <c>seq epoch storedAtMs json</c>
/// (also the form kept in the room's history) or a presence record
/// <c>J|L count node connection user</c>. On a user's channel: a notice (the JSON object) or a
/// disconnect request <c>0x00 connection reason</c>. Entries and presence records are written by
/// the Lua scripts (<see cref="RedisScripts"/>); the encoders here say the same in C#.
/// </summary>
internal static class RedisWireFormat
{
    /// <summary>First byte of a disconnect request on a user's channel (chat messages there start with '{').</summary>
    public const byte DisconnectMarker = 0;

    /// <summary>Whether a room channel message is a presence record (else a room message entry).</summary>
    public static bool IsPresence(ReadOnlySpan<byte> message) => !message.IsEmpty && message[0] is (byte)'J' or (byte)'L';

    /// <summary>Whether a user channel message is a disconnect request (else a notice).</summary>
    public static bool IsDisconnect(ReadOnlySpan<byte> message) => !message.IsEmpty && message[0] == DisconnectMarker;

    /// <summary>"seq epoch storedAtMs json", as the send script writes it.</summary>
    public static byte[] EncodeEntry(long seq, string epoch, long storedAtMs, ReadOnlySpan<byte> json)
    {
        var head = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{seq} {epoch} {storedAtMs} "));
        return [.. head, .. json];
    }

    /// <summary>Parses "seq epoch storedAtMs json".</summary>
    public static bool TryParseEntry(ReadOnlyMemory<byte> entry, out long seq, out string epoch, out long storedAtMs, out ReadOnlyMemory<byte> json)
    {
        epoch = "";
        storedAtMs = 0;
        json = default;
        var span = entry.Span;
        if (!Utf8Parser.TryParse(span, out seq, out var used) || used >= span.Length || span[used] != (byte)' ')
        {
            return false;
        }

        var rest = used + 1;
        var space = span[rest..].IndexOf((byte)' ');
        if (space <= 0)
        {
            return false;
        }

        epoch = Encoding.ASCII.GetString(span.Slice(rest, space));
        rest += space + 1;
        if (!Utf8Parser.TryParse(span[rest..], out storedAtMs, out used) || rest + used >= span.Length || span[rest + used] != (byte)' ')
        {
            return false;
        }

        json = entry[(rest + used + 1)..];
        return seq > 0;
    }

    /// <summary>"J|L count node connection user", as the presence script writes it.</summary>
    public static byte[] EncodePresence(bool join, int count, string nodeId, long connectionId, string userId)
        => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{(join ? 'J' : 'L')} {count} {nodeId} {connectionId} {userId}"));

    /// <summary>Parses "J|L count node connection user".</summary>
    public static bool TryParsePresence(ReadOnlySpan<byte> raw, out bool join, out int count, out ReadOnlySpan<byte> nodeId, out long connectionId, out string userId)
    {
        join = raw.Length > 0 && raw[0] == (byte)'J';
        count = 0;
        nodeId = default;
        connectionId = 0;
        userId = "";
        if (raw.Length < 2 || raw[0] is not ((byte)'J' or (byte)'L') || raw[1] != (byte)' ')
        {
            return false;
        }

        raw = raw[2..];
        if (!Utf8Parser.TryParse(raw, out count, out var used) || used >= raw.Length || raw[used] != (byte)' ')
        {
            return false;
        }

        raw = raw[(used + 1)..];
        var space = raw.IndexOf((byte)' ');
        if (space <= 0)
        {
            return false;
        }

        nodeId = raw[..space];
        raw = raw[(space + 1)..];
        if (!Utf8Parser.TryParse(raw, out connectionId, out used) || used >= raw.Length || raw[used] != (byte)' ')
        {
            return false;
        }

        raw = raw[(used + 1)..];
        if (raw.IsEmpty || !System.Text.Unicode.Utf8.IsValid(raw))
        {
            return false;
        }

        userId = Encoding.UTF8.GetString(raw);
        return count >= 0;
    }

    /// <summary>0x00, the connection number in decimal (0: all of the user's), a space, the close reason.</summary>
    public static byte[] EncodeDisconnect(long connection, ReadOnlySpan<byte> reason)
    {
        var number = Encoding.ASCII.GetBytes(connection.ToString(CultureInfo.InvariantCulture));
        var message = new byte[1 + number.Length + 1 + reason.Length];
        message[0] = DisconnectMarker;
        number.CopyTo(message, 1);
        message[1 + number.Length] = (byte)' ';
        reason.CopyTo(message.AsSpan(2 + number.Length));
        return message;
    }

    public static bool TryParseDisconnect(ReadOnlySpan<byte> message, out long connection, out byte[] reason)
    {
        reason = [];
        connection = 0;
        if (!IsDisconnect(message))
        {
            return false;
        }

        var rest = message[1..];
        if (!Utf8Parser.TryParse(rest, out connection, out var used) || used >= rest.Length || rest[used] != (byte)' ' || connection < 0)
        {
            return false;
        }

        reason = rest[(used + 1)..].ToArray();
        return true;
    }
}
