using System.Buffers;

namespace PipeChat.Protocol.Framing;

/// <summary>Writes frames: unmasked server frames and masked client frames.</summary>
public static class FrameWriter
{
    public const int MaxHeaderLength = 14;

    /// <summary>Header size on the wire for a payload of this length.</summary>
    public static int GetHeaderLength(long payloadLength, bool masked) => throw new NotImplementedException();

    /// <summary>Writes a header into <paramref name="destination"/> and returns its length.</summary>
    public static int WriteHeader(Span<byte> destination, WebSocketOpcode opcode, bool fin, long payloadLength, bool masked, uint maskKey)
        => throw new NotImplementedException();

    /// <summary>Writes an unmasked (server) frame.</summary>
    public static void WriteFrame(IBufferWriter<byte> output, WebSocketOpcode opcode, ReadOnlySpan<byte> payload, bool fin = true)
        => throw new NotImplementedException();

    /// <summary>Writes a masked (client) frame; the payload is masked while copied.</summary>
    public static void WriteMaskedFrame(IBufferWriter<byte> output, WebSocketOpcode opcode, ReadOnlySpan<byte> payload, uint maskKey, bool fin = true)
        => throw new NotImplementedException();

    /// <summary>Writes a close frame with a code and a UTF-8 reason (truncated to fit 125 bytes on a character boundary).</summary>
    public static void WriteClose(IBufferWriter<byte> output, ushort code, ReadOnlySpan<byte> utf8Reason, bool masked = false, uint maskKey = 0)
        => throw new NotImplementedException();
}
