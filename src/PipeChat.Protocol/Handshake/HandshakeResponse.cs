using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace PipeChat.Protocol.Handshake;

/// <summary>Writes HTTP responses for the handshake and for plain HTTP requests.</summary>
public static class HandshakeResponse
{
    /// <summary>Length of a Sec-WebSocket-Accept value.</summary>
    public const int AcceptKeyLength = 28;

    private const int Sha1Length = 20;

    /// <summary>Keys up to this length are hashed from a stackalloc buffer; real keys are 24 bytes.</summary>
    private const int MaxStackKeyLength = 128;

    // RFC 6455 §4.2.2: "the value of the Sec-WebSocket-Key header field ... concatenated with the
    // Globally Unique Identifier (GUID, [RFC4122]) '258EAFA5-E914-47DA-95CA-C5AB0DC85B11' in string
    // form ... A SHA-1 hash (160 bits) [FIPS.180-3], base64-encoded (see Section 4 of [RFC4648]),
    // of this concatenation is then returned in the server's handshake."
    private static ReadOnlySpan<byte> WebSocketGuid => "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"u8;

    private static ReadOnlySpan<byte> SwitchingProtocolsHead =>
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "u8;

    private static ReadOnlySpan<byte> SubProtocolHeader => "\r\nSec-WebSocket-Protocol: "u8;

    private static ReadOnlySpan<byte> ExtensionsHeader => "\r\nSec-WebSocket-Extensions: "u8;

    /// <summary>
    /// Sec-WebSocket-Accept = base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")) (RFC 6455 §4.2.2).
    /// Writes 28 ASCII bytes into <paramref name="destination"/>; no allocation.
    /// </summary>
    public static void ComputeAcceptKey(ReadOnlySpan<byte> key, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, AcceptKeyLength, nameof(destination));
        var length = key.Length + WebSocketGuid.Length;
        byte[]? rented = null;
        var buffer = key.Length <= MaxStackKeyLength
            ? stackalloc byte[MaxStackKeyLength + 36]
            : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            key.CopyTo(buffer);
            WebSocketGuid.CopyTo(buffer[key.Length..]);
            Span<byte> hash = stackalloc byte[Sha1Length];
            SHA1.HashData(buffer[..length], hash);
            Base64.EncodeToUtf8(hash, destination, out _, out _);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Writes "101 Switching Protocols" with the accept key and, when non-empty, the chosen subprotocol. No extension.</summary>
    public static void WriteSwitchingProtocols(IBufferWriter<byte> output, ReadOnlySpan<byte> key, ReadOnlySpan<byte> subProtocol)
        => WriteSwitchingProtocols(output, key, subProtocol, default);

    /// <summary>
    /// Writes "101 Switching Protocols" with the accept key and, when non-empty, the chosen
    /// subprotocol and the accepted extensions (a Sec-WebSocket-Extensions value).
    /// </summary>
    public static void WriteSwitchingProtocols(IBufferWriter<byte> output, ReadOnlySpan<byte> key, ReadOnlySpan<byte> subProtocol, ReadOnlySpan<byte> extensions)
    {
        ArgumentNullException.ThrowIfNull(output);
        var length = SwitchingProtocolsHead.Length + AcceptKeyLength + 4
            + (subProtocol.IsEmpty ? 0 : SubProtocolHeader.Length + subProtocol.Length)
            + (extensions.IsEmpty ? 0 : ExtensionsHeader.Length + extensions.Length);
        var span = output.GetSpan(length);
        var writer = new ResponseHeadWriter(span);
        writer.Write(SwitchingProtocolsHead);
        ComputeAcceptKey(key, span[writer.Written..]);
        writer = new ResponseHeadWriter(span[(writer.Written + AcceptKeyLength)..]);
        if (!subProtocol.IsEmpty)
        {
            writer.Write(SubProtocolHeader);
            writer.Write(subProtocol);
        }

        if (!extensions.IsEmpty)
        {
            writer.Write(ExtensionsHeader);
            writer.Write(extensions);
        }

        writer.Write("\r\n\r\n"u8);
        output.Advance(length);
    }

    /// <summary>Writes an error response (text/plain body = reason + "\n", Connection: close; 426 adds Sec-WebSocket-Version: 13; 405 adds Allow: GET).</summary>
    public static void WriteError(IBufferWriter<byte> output, in HandshakeError error)
    {
        ArgumentNullException.ThrowIfNull(output);
        var reason = error.Reason ?? string.Empty;
        var bodyLength = Encoding.UTF8.GetByteCount(reason) + 1;
        ReadOnlySpan<byte> extraHeader = error.StatusCode switch
        {
            405 => "Allow: GET\r\n"u8,
            426 => "Sec-WebSocket-Version: 13\r\n"u8,
            _ => default,
        };

        var contentType = "text/plain; charset=utf-8"u8;
        var span = output.GetSpan(HeadLength(error.StatusCode, contentType) + extraHeader.Length + bodyLength);
        var writer = new ResponseHeadWriter(span);
        WriteHead(ref writer, error.StatusCode, contentType, bodyLength, extraHeader);
        var written = writer.Written;
        written += Encoding.UTF8.GetBytes(reason, span[written..]);
        span[written++] = (byte)'\n';
        output.Advance(written);
    }

    /// <summary>Writes a complete HTTP/1.1 response with Content-Length and Connection: close.</summary>
    public static void WriteResponse(IBufferWriter<byte> output, int statusCode, ReadOnlySpan<byte> contentType, ReadOnlySpan<byte> body)
        => WriteResponse(output, statusCode, contentType, body, default);

    /// <summary>As above, with extra header lines (each ending in CRLF, e.g. "Allow: POST\r\n").</summary>
    public static void WriteResponse(IBufferWriter<byte> output, int statusCode, ReadOnlySpan<byte> contentType, ReadOnlySpan<byte> body, ReadOnlySpan<byte> extraHeaders)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 999);
        var span = output.GetSpan(HeadLength(statusCode, contentType) + extraHeaders.Length);
        var writer = new ResponseHeadWriter(span);
        WriteHead(ref writer, statusCode, contentType, body.Length, extraHeaders);
        output.Advance(writer.Written);
        if (!body.IsEmpty)
        {
            output.Write(body);
        }
    }

    /// <summary>Upper bound of <see cref="WriteHead"/>'s output without extra headers.</summary>
    private static int HeadLength(int statusCode, ReadOnlySpan<byte> contentType)
        => ResponseHeadWriter.StatusLineLength(statusCode)
           + "Content-Type: \r\n"u8.Length + contentType.Length
           + "Content-Length: \r\n"u8.Length + ResponseHeadWriter.MaxIntLength
           + "Connection: close\r\n\r\n"u8.Length;

    private static void WriteHead(ref ResponseHeadWriter writer, int statusCode, ReadOnlySpan<byte> contentType, int contentLength, ReadOnlySpan<byte> extraHeader)
    {
        writer.WriteStatusLine(statusCode);
        if (!contentType.IsEmpty)
        {
            writer.Write("Content-Type: "u8);
            writer.Write(contentType);
            writer.Write("\r\n"u8);
        }

        writer.Write("Content-Length: "u8);
        writer.Write(contentLength);
        writer.Write("\r\nConnection: close\r\n"u8);
        writer.Write(extraHeader);
        writer.Write("\r\n"u8);
    }
}
