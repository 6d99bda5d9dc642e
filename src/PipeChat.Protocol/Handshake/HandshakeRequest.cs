namespace PipeChat.Protocol.Handshake;

/// <summary>
/// A parsed HTTP/1.1 request head. All spans point into the request bytes (or the caller's
/// scratch buffer) and are raw: not percent-decoded, header values trimmed of OWS.
/// </summary>
public readonly ref struct HandshakeRequest
{
    /// <summary>Request path, starting with '/', without the query.</summary>
    public ReadOnlySpan<byte> Path => throw new NotImplementedException();

    /// <summary>Query string without '?', empty when absent.</summary>
    public ReadOnlySpan<byte> Query => throw new NotImplementedException();

    public ReadOnlySpan<byte> Host => throw new NotImplementedException();

    /// <summary>The Origin header, empty when absent.</summary>
    public ReadOnlySpan<byte> Origin => throw new NotImplementedException();

    /// <summary>The Sec-WebSocket-Key value as sent (base64 text).</summary>
    public ReadOnlySpan<byte> Key => throw new NotImplementedException();

    /// <summary>true when the request asks for a WebSocket upgrade (an Upgrade header naming websocket).</summary>
    public bool IsWebSocketUpgrade => throw new NotImplementedException();

    /// <summary>true when the client offered any Sec-WebSocket-Extensions (we decline them all).</summary>
    public bool HasExtensions => throw new NotImplementedException();

    /// <summary>Total bytes of the request head including the final CRLFCRLF.</summary>
    public int Length => throw new NotImplementedException();

    /// <summary>First value of a header (case-insensitive name), trimmed.</summary>
    public bool TryGetHeader(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value) => throw new NotImplementedException();

    /// <summary>Raw (still percent-encoded) value of a query parameter.</summary>
    public bool TryGetQueryParameter(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> rawValue) => throw new NotImplementedException();

    /// <summary>Whether the client listed this subprotocol in Sec-WebSocket-Protocol (any of its header lines), compared exactly.</summary>
    public bool OffersSubProtocol(ReadOnlySpan<byte> protocol) => throw new NotImplementedException();

    /// <summary>
    /// Checks everything a WebSocket upgrade needs (RFC 6455 §4.2.1): Upgrade: websocket,
    /// Connection token list containing Upgrade, Sec-WebSocket-Version: 13 (else 426), a key
    /// that base64-decodes to 16 bytes, a Host header.
    /// </summary>
    public bool TryValidateUpgrade(out HandshakeError error) => throw new NotImplementedException();
}
