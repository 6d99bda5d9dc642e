using System.Buffers;
using System.Diagnostics.CodeAnalysis;

namespace PipeChat.Protocol.Framing;

/// <summary>
/// Incremental message reader: frame headers, fragmentation state machine, unmasking,
/// fail-fast UTF-8 validation of text across fragments and segments, control frames,
/// close-payload validation and the message-size limit. Pure: no I/O, no allocation.
/// A mutable struct: keep it in a field and call <see cref="Read"/> by reference.
/// </summary>
public struct WebSocketReader
{
    /// <param name="isServer">true: incoming frames must be masked; false: they must not be.</param>
    /// <param name="maxMessageBytes">Largest data message (sum of its fragments); larger → 1009.</param>
    public WebSocketReader(bool isServer, long maxMessageBytes) => throw new NotImplementedException();

    /// <summary>Type of the last completed message (Text or Binary), valid after <see cref="WebSocketReadResult.Message"/>.</summary>
    public readonly WebSocketOpcode MessageType => throw new NotImplementedException();

    /// <summary>Close code: the peer's after <see cref="WebSocketReadResult.Close"/> (1005 when the payload was empty), the one to send after <see cref="WebSocketReadResult.Error"/>.</summary>
    public readonly ushort CloseCode => throw new NotImplementedException();

    /// <summary>A fixed, human-readable reason after <see cref="WebSocketReadResult.Error"/> (e.g. "unmasked client frame").</summary>
    public readonly string? ErrorReason => throw new NotImplementedException();

    /// <summary>Unmasked payload of the last ping/pong/close frame (≤ 125 bytes).</summary>
    [UnscopedRef]
    public readonly ReadOnlySpan<byte> ControlPayload => throw new NotImplementedException();

    /// <summary>UTF-8 reason of the last close frame (validated).</summary>
    [UnscopedRef]
    public readonly ReadOnlySpan<byte> CloseReason => throw new NotImplementedException();

    /// <summary>
    /// Consumes input up to the next event. Data payload bytes are unmasked and written to
    /// <paramref name="sink"/> as they arrive (a partial frame is consumed, not held), so
    /// invalid UTF-8 fails as soon as it is seen. After <see cref="WebSocketReadResult.Message"/>
    /// the caller uses and then clears its sink before calling again.
    /// </summary>
    /// <param name="input">Unconsumed input, starting where the previous call's <paramref name="consumed"/> ended.</param>
    /// <param name="sink">Receives the unmasked payload of data frames.</param>
    /// <param name="consumed">How far the input was used; everything before it may be released.</param>
    public WebSocketReadResult Read(in ReadOnlySequence<byte> input, IBufferWriter<byte> sink, out SequencePosition consumed)
        => throw new NotImplementedException();
}
