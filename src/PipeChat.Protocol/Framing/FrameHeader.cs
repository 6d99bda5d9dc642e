namespace PipeChat.Protocol.Framing;

/// <summary>A decoded frame header (RFC 6455 §5.2).</summary>
/// <param name="Fin">The FIN bit.</param>
/// <param name="Opcode">The frame opcode (never a reserved value once validated).</param>
/// <param name="MaskKey">Masking key; byte i of the wire key is <c>(byte)(MaskKey &gt;&gt; (8 * i))</c>.</param>
/// <param name="PayloadLength">Payload length in bytes.</param>
/// <param name="HeaderLength">Header size on the wire: 2 to 14 bytes.</param>
/// <param name="IsMasked">The MASK bit.</param>
public readonly record struct FrameHeader(bool Fin, WebSocketOpcode Opcode, bool IsMasked, uint MaskKey, long PayloadLength, int HeaderLength)
{
    public bool IsControl => ((byte)Opcode & 0x8) != 0;

    /// <summary>The RSV1 bit: "compressed" on the first frame of a message once permessage-deflate is negotiated (RFC 7692 §6).</summary>
    public bool Rsv1 { get; init; }
}
