using System.Buffers.Binary;
using System.Text.Unicode;

namespace PipeChat.Protocol.Framing;

/// <summary>Close frame payload rules (RFC 6455 §5.5.1, §7.4).</summary>
public static class ClosePayload
{
    /// <summary>Whether a code may appear in a close frame on the wire.</summary>
    /// <remarks>
    /// 1000–1003 and 1007–1011 (§7.4.1), 1012–1014 (assigned later by IANA), 3000–4999 (registered
    /// and private use, §7.4.2). 1004 is reserved, 1005, 1006 and 1015 must never be sent.
    /// </remarks>
    public static bool IsValidCode(int code)
        => code is (>= 1000 and <= 1003) or (>= 1007 and <= 1014) or (>= 3000 and <= 4999);

    /// <summary>
    /// Validates a close payload: empty (code 1005), or a 2-byte code plus UTF-8 reason.
    /// On failure <paramref name="errorCode"/> is 1002 (1-byte payload, bad code) or 1007 (bad UTF-8).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out ushort code, out ReadOnlySpan<byte> reason, out ushort errorCode)
    {
        reason = default;
        if (payload.IsEmpty)
        {
            code = WebSocketCloseCodes.NoStatusReceived;
            errorCode = 0;
            return true;
        }

        if (payload.Length < 2)
        {
            code = 0;
            errorCode = WebSocketCloseCodes.ProtocolError;
            return false;
        }

        code = BinaryPrimitives.ReadUInt16BigEndian(payload);
        if (!IsValidCode(code))
        {
            errorCode = WebSocketCloseCodes.ProtocolError;
            return false;
        }

        var text = payload[2..];
        if (!Utf8.IsValid(text))
        {
            errorCode = WebSocketCloseCodes.InvalidPayloadData;
            return false;
        }

        reason = text;
        errorCode = 0;
        return true;
    }
}
