using System.Buffers;

namespace PipeChat.Protocol.Handshake;

/// <summary>Writes HTTP responses for the handshake and for plain HTTP requests.</summary>
public static class HandshakeResponse
{
    /// <summary>Length of a Sec-WebSocket-Accept value.</summary>
    public const int AcceptKeyLength = 28;

    /// <summary>
    /// Sec-WebSocket-Accept = base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")) (RFC 6455 §4.2.2).
    /// Writes 28 ASCII bytes into <paramref name="destination"/>; no allocation.
    /// </summary>
    public static void ComputeAcceptKey(ReadOnlySpan<byte> key, Span<byte> destination) => throw new NotImplementedException();

    /// <summary>Writes "101 Switching Protocols" with the accept key and, when non-empty, the chosen subprotocol. Never an extension.</summary>
    public static void WriteSwitchingProtocols(IBufferWriter<byte> output, ReadOnlySpan<byte> key, ReadOnlySpan<byte> subProtocol)
        => throw new NotImplementedException();

    /// <summary>Writes an error response (text/plain body = reason + "\n", Connection: close; 426 adds Sec-WebSocket-Version: 13; 405 adds Allow: GET).</summary>
    public static void WriteError(IBufferWriter<byte> output, in HandshakeError error) => throw new NotImplementedException();

    /// <summary>Writes a complete HTTP/1.1 response with Content-Length and Connection: close.</summary>
    public static void WriteResponse(IBufferWriter<byte> output, int statusCode, ReadOnlySpan<byte> contentType, ReadOnlySpan<byte> body)
        => throw new NotImplementedException();
}
