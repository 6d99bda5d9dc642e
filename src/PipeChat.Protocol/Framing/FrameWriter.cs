using System.Buffers;
using System.Buffers.Binary;

namespace PipeChat.Protocol.Framing;

/// <summary>Writes frames: unmasked server frames and masked client frames.</summary>
public static class FrameWriter
{
    public const int MaxHeaderLength = 14;

    /// <summary>Header size on the wire for a payload of this length.</summary>
    public static int GetHeaderLength(long payloadLength, bool masked)
    {
        var length = payloadLength <= 125 ? 2 : payloadLength <= ushort.MaxValue ? 4 : 10;
        return masked ? length + 4 : length;
    }

    /// <summary>Writes a header into <paramref name="destination"/> and returns its length.</summary>
    public static int WriteHeader(Span<byte> destination, WebSocketOpcode opcode, bool fin, long payloadLength, bool masked, uint maskKey)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        var length = GetHeaderLength(payloadLength, masked);
        var header = destination[..length];
        header[0] = (byte)((fin ? 0x80 : 0) | (byte)opcode);
        var maskBit = masked ? (byte)0x80 : (byte)0;
        int offset;
        if (payloadLength <= 125)
        {
            header[1] = (byte)(maskBit | (byte)payloadLength);
            offset = 2;
        }
        else if (payloadLength <= ushort.MaxValue)
        {
            header[1] = (byte)(maskBit | 126);
            BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)payloadLength);
            offset = 4;
        }
        else
        {
            header[1] = (byte)(maskBit | 127);
            BinaryPrimitives.WriteUInt64BigEndian(header[2..], (ulong)payloadLength);
            offset = 10;
        }

        if (masked)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header[offset..], maskKey);
        }

        return length;
    }

    /// <summary>Writes an unmasked (server) frame.</summary>
    public static void WriteFrame(IBufferWriter<byte> output, WebSocketOpcode opcode, ReadOnlySpan<byte> payload, bool fin = true)
    {
        ArgumentNullException.ThrowIfNull(output);
        var headerLength = GetHeaderLength(payload.Length, masked: false);
        var frameLength = headerLength + payload.Length;
        var span = output.GetSpan(frameLength);
        WriteHeader(span, opcode, fin, payload.Length, masked: false, maskKey: 0);
        payload.CopyTo(span[headerLength..]);
        output.Advance(frameLength);
    }

    /// <summary>Writes a masked (client) frame; the payload is masked while copied.</summary>
    public static void WriteMaskedFrame(IBufferWriter<byte> output, WebSocketOpcode opcode, ReadOnlySpan<byte> payload, uint maskKey, bool fin = true)
    {
        ArgumentNullException.ThrowIfNull(output);
        var headerLength = GetHeaderLength(payload.Length, masked: true);
        var frameLength = headerLength + payload.Length;
        var span = output.GetSpan(frameLength);
        WriteHeader(span, opcode, fin, payload.Length, masked: true, maskKey);
        WebSocketMask.ApplyTo(payload, span[headerLength..], maskKey, 0);
        output.Advance(frameLength);
    }

    /// <summary>Writes a close frame with a code and a UTF-8 reason (truncated to fit 125 bytes on a character boundary).</summary>
    public static void WriteClose(IBufferWriter<byte> output, ushort code, ReadOnlySpan<byte> utf8Reason, bool masked = false, uint maskKey = 0)
    {
        ArgumentNullException.ThrowIfNull(output);
        var reason = TruncateReason(utf8Reason);
        var payloadLength = 2 + reason.Length;
        var headerLength = GetHeaderLength(payloadLength, masked);
        var frameLength = headerLength + payloadLength;
        var span = output.GetSpan(frameLength);
        WriteHeader(span, WebSocketOpcode.Close, fin: true, payloadLength, masked, maskKey);
        var payload = span.Slice(headerLength, payloadLength);
        BinaryPrimitives.WriteUInt16BigEndian(payload, code);
        reason.CopyTo(payload[2..]);
        if (masked)
        {
            WebSocketMask.Apply(payload, maskKey, 0);
        }

        output.Advance(frameLength);
    }

    /// <summary>Cuts a reason to the 123 bytes a close payload leaves, never inside a UTF-8 sequence.</summary>
    internal static ReadOnlySpan<byte> TruncateReason(ReadOnlySpan<byte> utf8Reason)
    {
        const int MaxReasonLength = 125 - 2;
        if (utf8Reason.Length <= MaxReasonLength)
        {
            return utf8Reason;
        }

        // Back up over continuation bytes (10xxxxxx) to the start of the character that does not fit.
        var cut = MaxReasonLength;
        while (cut > 0 && (utf8Reason[cut] & 0xC0) == 0x80)
        {
            cut--;
        }

        return utf8Reason[..cut];
    }
}
