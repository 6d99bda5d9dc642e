namespace PipeChat.Protocol.Framing;

/// <summary>
/// Raw-DEFLATE decompression for permessage-deflate (RFC 7692), supplied to
/// <see cref="WebSocketReader"/> by whoever owns the codec (the protocol library stays free of
/// native code). One instance serves one connection; a message is decompressed from its first
/// byte to its last, then <see cref="Reset"/> forgets it (no context takeover between messages).
/// </summary>
public interface IMessageInflater
{
    /// <summary>
    /// Decompresses from <paramref name="input"/> into <paramref name="output"/>. Output that does
    /// not fit stays pending inside and comes out on the next call (with more space, even with no
    /// input). After the end of the DEFLATE stream (a final block) any further input is consumed
    /// and ignored.
    /// </summary>
    /// <returns>false when the data is not valid DEFLATE.</returns>
    bool Inflate(ReadOnlySpan<byte> input, Span<byte> output, out int consumed, out int written);

    /// <summary>The message is complete or abandoned: forget its state (and return any pooled memory).</summary>
    void Reset();
}
