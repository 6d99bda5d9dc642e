using System.Buffers.Binary;
using PipeChat.Protocol.Framing;

namespace PipeChat.Server.Tests.Support;

/// <summary>
/// Builds client frames byte for byte, including the malformed ones a conformance test needs
/// (reserved bits, reserved opcodes, oversized control frames). The header comes from
/// <see cref="FrameWriter.WriteHeader"/>; the payload is masked here with a plain loop so the
/// server's own masking code is not its own oracle.
/// </summary>
internal static class ClientFrames
{
    private const uint DefaultMaskKey = 0x9A_3C_5E_71;

    /// <summary>A masked frame; <paramref name="rsv"/> (0–7) lands in bits 6–4 of the first byte.</summary>
    public static byte[] Build(WebSocketOpcode opcode, ReadOnlySpan<byte> payload, bool fin = true, int rsv = 0, uint maskKey = DefaultMaskKey)
    {
        Span<byte> header = stackalloc byte[FrameWriter.MaxHeaderLength];
        var headerLength = FrameWriter.WriteHeader(header, opcode, fin, payload.Length, masked: true, maskKey);
        header[0] |= (byte)((rsv & 0x7) << 4);

        var frame = new byte[headerLength + payload.Length];
        header[..headerLength].CopyTo(frame);
        var body = frame.AsSpan(headerLength);
        for (var i = 0; i < payload.Length; i++)
        {
            body[i] = (byte)(payload[i] ^ (byte)(maskKey >> (8 * (i & 3))));
        }

        return frame;
    }

    /// <summary>A close payload: optional status code followed by the raw reason bytes.</summary>
    public static byte[] ClosePayload(ushort? code, ReadOnlySpan<byte> reason = default)
    {
        if (code is null)
        {
            return reason.ToArray();
        }

        var payload = new byte[2 + reason.Length];
        BinaryPrimitives.WriteUInt16BigEndian(payload, code.Value);
        reason.CopyTo(payload.AsSpan(2));
        return payload;
    }

    /// <summary>Parses "C0 80" style hex into bytes.</summary>
    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
}
