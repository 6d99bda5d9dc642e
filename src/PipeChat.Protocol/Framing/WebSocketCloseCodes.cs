namespace PipeChat.Protocol.Framing;

/// <summary>Close status codes (RFC 6455 §7.4.1) used by PipeChat.</summary>
public static class WebSocketCloseCodes
{
    public const ushort NormalClosure = 1000;
    public const ushort GoingAway = 1001;
    public const ushort ProtocolError = 1002;
    public const ushort UnsupportedData = 1003;
    /// <summary>Never sent on the wire: a close frame with no payload.</summary>
    public const ushort NoStatusReceived = 1005;
    /// <summary>Never sent on the wire: the connection dropped without a close frame.</summary>
    public const ushort AbnormalClosure = 1006;
    public const ushort InvalidPayloadData = 1007;
    public const ushort PolicyViolation = 1008;
    public const ushort MessageTooBig = 1009;
    public const ushort MandatoryExtension = 1010;
    public const ushort InternalServerError = 1011;
    public const ushort TryAgainLater = 1013;
}
