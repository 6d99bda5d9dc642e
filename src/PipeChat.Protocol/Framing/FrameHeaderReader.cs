using System.Buffers;
using System.Buffers.Binary;

namespace PipeChat.Protocol.Framing;

/// <summary>Outcome of a parse step.</summary>
public enum ParseStatus
{
    /// <summary>A complete item was parsed.</summary>
    Done,
    /// <summary>The input ends before the item does; nothing was consumed.</summary>
    NeedMoreData,
    /// <summary>The input violates the protocol; see the close code.</summary>
    Invalid,
}

/// <summary>
/// Stateless frame-header decoding and validation (RFC 6455 §5.2): length forms, RSV bits,
/// reserved opcodes, masking direction, control-frame size and FIN. Fragmentation rules need
/// state and live in <see cref="WebSocketReader"/>.
/// </summary>
public static class FrameHeaderReader
{
    /// <summary>Decodes a header from one span.</summary>
    /// <param name="input">Bytes starting at a frame boundary.</param>
    /// <param name="expectMasked">true on a server (client frames must be masked), false on a client (server frames must not be).</param>
    /// <param name="header">The header when <see cref="ParseStatus.Done"/>.</param>
    /// <param name="closeCode">The close code to send when <see cref="ParseStatus.Invalid"/>, otherwise 0.</param>
    public static ParseStatus TryRead(ReadOnlySpan<byte> input, bool expectMasked, out FrameHeader header, out ushort closeCode)
        => TryRead(input, expectMasked, out header, out closeCode, out _);

    /// <summary>
    /// Decodes a header from one span; with <paramref name="allowRsv1"/> (permessage-deflate
    /// negotiated) RSV1 is accepted on the first frame of a data message (see <see cref="FrameHeader.Rsv1"/>).
    /// </summary>
    public static ParseStatus TryRead(ReadOnlySpan<byte> input, bool expectMasked, bool allowRsv1, out FrameHeader header, out ushort closeCode)
        => TryRead(input, expectMasked, allowRsv1, out header, out closeCode, out _);

    /// <summary>Decodes a header that may span several segments.</summary>
    public static ParseStatus TryRead(in ReadOnlySequence<byte> input, bool expectMasked, out FrameHeader header, out ushort closeCode)
        => TryRead(input, expectMasked, out header, out closeCode, out _);

    /// <summary>As the public overload, plus a fixed reason string when invalid.</summary>
    internal static ParseStatus TryRead(in ReadOnlySequence<byte> input, bool expectMasked, out FrameHeader header, out ushort closeCode, out string? reason)
        => TryRead(input, expectMasked, allowRsv1: false, out header, out closeCode, out reason);

    /// <summary>
    /// As the public overload, plus a fixed reason string when invalid. With
    /// <paramref name="allowRsv1"/> (permessage-deflate negotiated) RSV1 may be set on the first
    /// frame of a data message; on a control frame or a continuation it is still an error (RFC 7692 §6.1).
    /// </summary>
    internal static ParseStatus TryRead(in ReadOnlySequence<byte> input, bool expectMasked, bool allowRsv1, out FrameHeader header, out ushort closeCode, out string? reason)
    {
        var first = input.FirstSpan;
        if (first.Length >= FrameWriter.MaxHeaderLength || input.IsSingleSegment)
        {
            return TryRead(first, expectMasked, allowRsv1, out header, out closeCode, out reason);
        }

        return TryReadMultiSegment(input, expectMasked, allowRsv1, out header, out closeCode, out reason);
    }

    private static ParseStatus TryReadMultiSegment(in ReadOnlySequence<byte> input, bool expectMasked, bool allowRsv1, out FrameHeader header, out ushort closeCode, out string? reason)
    {
        Span<byte> buffer = stackalloc byte[FrameWriter.MaxHeaderLength];
        var length = (int)Math.Min(input.Length, FrameWriter.MaxHeaderLength);
        input.Slice(0, length).CopyTo(buffer);
        return TryRead(buffer[..length], expectMasked, allowRsv1, out header, out closeCode, out reason);
    }

    /// <summary>As the public overload, plus a fixed reason string when invalid.</summary>
    internal static ParseStatus TryRead(ReadOnlySpan<byte> input, bool expectMasked, out FrameHeader header, out ushort closeCode, out string? reason)
        => TryRead(input, expectMasked, allowRsv1: false, out header, out closeCode, out reason);

    private static ParseStatus TryRead(ReadOnlySpan<byte> input, bool expectMasked, bool allowRsv1, out FrameHeader header, out ushort closeCode, out string? reason)
    {
        header = default;
        closeCode = 0;
        reason = null;
        if (input.IsEmpty)
        {
            return ParseStatus.NeedMoreData;
        }

        //  0                   1
        //  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
        // +-+-+-+-+-------+-+-------------+
        // |F|R|R|R| opcode|M| Payload len |
        // |I|S|S|S|  (4)  |A|     (7)     |
        // |N|V|V|V|       |S|             |
        // | |1|2|3|       |K|             |
        // The first byte is checked as soon as it arrives.
        var b0 = input[0];
        if ((b0 & (allowRsv1 ? 0x30 : 0x70)) != 0)
        {
            return Fail(WebSocketCloseCodes.ProtocolError, "reserved bits set", out closeCode, out reason);
        }

        var opcode = (WebSocketOpcode)(b0 & 0x0F);
        var rsv1 = (b0 & 0x40) != 0;
        if (rsv1 && ((byte)opcode & 0x8) != 0)
        {
            return Fail(WebSocketCloseCodes.ProtocolError, "RSV1 set on a control frame", out closeCode, out reason);
        }

        if (rsv1 && opcode == WebSocketOpcode.Continuation)
        {
            return Fail(WebSocketCloseCodes.ProtocolError, "RSV1 set on a continuation frame", out closeCode, out reason);
        }

        if (opcode is not (WebSocketOpcode.Continuation or WebSocketOpcode.Text or WebSocketOpcode.Binary
            or WebSocketOpcode.Close or WebSocketOpcode.Ping or WebSocketOpcode.Pong))
        {
            return Fail(WebSocketCloseCodes.ProtocolError, "reserved opcode", out closeCode, out reason);
        }

        var fin = (b0 & 0x80) != 0;
        var isControl = ((byte)opcode & 0x8) != 0;
        if (isControl && !fin)
        {
            return Fail(WebSocketCloseCodes.ProtocolError, "fragmented control frame", out closeCode, out reason);
        }

        if (input.Length < 2)
        {
            return ParseStatus.NeedMoreData;
        }

        var b1 = input[1];
        var masked = (b1 & 0x80) != 0;
        if (masked != expectMasked)
        {
            return Fail(
                WebSocketCloseCodes.ProtocolError,
                expectMasked ? "unmasked client frame" : "masked server frame",
                out closeCode,
                out reason);
        }

        var length7 = b1 & 0x7F;
        if (isControl && length7 > 125)
        {
            return Fail(WebSocketCloseCodes.ProtocolError, "control frame too long", out closeCode, out reason);
        }

        var lengthBytes = length7 switch
        {
            126 => 2,
            127 => 8,
            _ => 0,
        };
        var headerLength = 2 + lengthBytes + (masked ? 4 : 0);
        if (input.Length < headerLength)
        {
            return ParseStatus.NeedMoreData;
        }

        long payloadLength = length7;
        if (lengthBytes == 2)
        {
            payloadLength = BinaryPrimitives.ReadUInt16BigEndian(input[2..]);
        }
        else if (lengthBytes == 8)
        {
            var length64 = BinaryPrimitives.ReadUInt64BigEndian(input[2..]);
            if (length64 > long.MaxValue)
            {
                // "the most significant bit MUST be 0" (§5.2).
                return Fail(WebSocketCloseCodes.ProtocolError, "payload length too large", out closeCode, out reason);
            }

            payloadLength = (long)length64;
        }

        var maskKey = masked ? BinaryPrimitives.ReadUInt32LittleEndian(input[(2 + lengthBytes)..]) : 0;
        header = new FrameHeader(fin, opcode, masked, maskKey, payloadLength, headerLength) { Rsv1 = rsv1 };
        return ParseStatus.Done;
    }

    private static ParseStatus Fail(ushort code, string text, out ushort closeCode, out string? reason)
    {
        closeCode = code;
        reason = text;
        return ParseStatus.Invalid;
    }
}
