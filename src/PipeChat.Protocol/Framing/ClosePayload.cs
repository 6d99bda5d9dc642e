namespace PipeChat.Protocol.Framing;

/// <summary>Close frame payload rules (RFC 6455 §5.5.1, §7.4).</summary>
public static class ClosePayload
{
    /// <summary>Whether a code may appear in a close frame on the wire.</summary>
    public static bool IsValidCode(int code) => throw new NotImplementedException();

    /// <summary>
    /// Validates a close payload: empty (code 1005), or a 2-byte code plus UTF-8 reason.
    /// On failure <paramref name="errorCode"/> is 1002 (1-byte payload, bad code) or 1007 (bad UTF-8).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out ushort code, out ReadOnlySpan<byte> reason, out ushort errorCode)
        => throw new NotImplementedException();
}
