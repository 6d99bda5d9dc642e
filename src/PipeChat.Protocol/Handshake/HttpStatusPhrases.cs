namespace PipeChat.Protocol.Handshake;

/// <summary>Standard reason phrases (RFC 9110 §15) for the statuses this server sends.</summary>
internal static class HttpStatusPhrases
{
    public static ReadOnlySpan<byte> Get(int statusCode) => statusCode switch
    {
        101 => "Switching Protocols"u8,
        200 => "OK"u8,
        201 => "Created"u8,
        204 => "No Content"u8,
        301 => "Moved Permanently"u8,
        302 => "Found"u8,
        304 => "Not Modified"u8,
        400 => "Bad Request"u8,
        401 => "Unauthorized"u8,
        403 => "Forbidden"u8,
        404 => "Not Found"u8,
        405 => "Method Not Allowed"u8,
        408 => "Request Timeout"u8,
        411 => "Length Required"u8,
        413 => "Content Too Large"u8,
        415 => "Unsupported Media Type"u8,
        426 => "Upgrade Required"u8,
        429 => "Too Many Requests"u8,
        431 => "Request Header Fields Too Large"u8,
        500 => "Internal Server Error"u8,
        501 => "Not Implemented"u8,
        503 => "Service Unavailable"u8,
        505 => "HTTP Version Not Supported"u8,
        _ => "Unknown"u8,
    };
}
