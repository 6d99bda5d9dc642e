using System.Buffers;

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
        => throw new NotImplementedException();

    /// <summary>Decodes a header that may span several segments.</summary>
    public static ParseStatus TryRead(in ReadOnlySequence<byte> input, bool expectMasked, out FrameHeader header, out ushort closeCode)
        => throw new NotImplementedException();
}
