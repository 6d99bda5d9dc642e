namespace PipeChat.Protocol.Handshake;

/// <summary>The one-line reasons sent in error bodies. Constants, so refusing a request never allocates.</summary>
internal static class HandshakeReasons
{
    public const string HeadTooLarge = "request header too large";
    public const string TooManyHeaders = "too many headers";
    public const string BareLineFeed = "line endings must be CRLF";
    public const string MalformedRequestLine = "malformed request line";
    public const string InvalidRequestTarget = "request target must be an origin-form path";
    public const string UnsupportedVersion = "only HTTP/1.1 is supported";
    public const string ObsoleteLineFolding = "obsolete header line folding is not allowed";
    public const string MalformedHeader = "malformed header line";
    public const string InvalidHeaderName = "invalid header name";
    public const string InvalidHeaderValue = "invalid header value";
    public const string DuplicateHost = "duplicate Host header";
    public const string UnexpectedBody = "a GET request must not have a body";
    public const string InvalidContentLength = "Content-Length must be a decimal number of bytes";
    public const string ConflictingContentLength = "conflicting Content-Length headers";
    public const string MissingUpgrade = "Upgrade header must include websocket";
    public const string MissingConnectionUpgrade = "Connection header must include Upgrade";
    public const string MissingHost = "missing Host header";
    public const string UnsupportedWebSocketVersion = "Sec-WebSocket-Version must be 13";
    public const string MissingKey = "missing Sec-WebSocket-Key header";
    public const string InvalidKey = "Sec-WebSocket-Key must be 16 bytes in base64";

    /// <summary>A 405 reason naming the refused method; common methods get their own constant.</summary>
    public static string MethodNotAllowed(ReadOnlySpan<byte> method) => method switch
    {
        _ when method.SequenceEqual("POST"u8) => "method POST not allowed, use GET",
        _ when method.SequenceEqual("PUT"u8) => "method PUT not allowed, use GET",
        _ when method.SequenceEqual("DELETE"u8) => "method DELETE not allowed, use GET",
        _ when method.SequenceEqual("HEAD"u8) => "method HEAD not allowed, use GET",
        _ when method.SequenceEqual("OPTIONS"u8) => "method OPTIONS not allowed, use GET",
        _ when method.SequenceEqual("PATCH"u8) => "method PATCH not allowed, use GET",
        _ when method.SequenceEqual("CONNECT"u8) => "method CONNECT not allowed, use GET",
        _ when method.SequenceEqual("TRACE"u8) => "method TRACE not allowed, use GET",
        _ => "method not allowed, use GET",
    };
}
