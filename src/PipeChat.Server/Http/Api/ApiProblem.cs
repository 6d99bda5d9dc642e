using System.Buffers;
using System.Text.Json;
using PipeChat.Protocol.Handshake;

namespace PipeChat.Server.Http.Api;

/// <summary>Stable problem codes of the server API (docs/api.md lists them).</summary>
internal static class ApiProblemCodes
{
    public const string Unauthorized = "unauthorized";
    public const string NotFound = "not_found";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string LengthRequired = "length_required";
    public const string TooLarge = "too_large";
    public const string BadJson = "bad_json";
    public const string MissingField = "missing_field";
    public const string InvalidField = "invalid_field";
    public const string Unavailable = "unavailable";
    public const string Internal = "internal";
}

/// <summary>An API error: HTTP status, stable code, human detail and the offending field, if any.</summary>
internal readonly record struct ApiProblem(int Status, string Code, string Detail, string? Field = null)
{
    /// <summary>Escape only what JSON requires (the API's answers are not embedded in HTML).</summary>
    public static readonly JsonWriterOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Writes an RFC 9457 problem-details response (application/problem+json): <c>type</c>
    /// (urn:pipechat:api:&lt;code&gt;), <c>title</c>, <c>status</c>, <c>detail</c>, plus the
    /// extension members <c>code</c> and, when a request field is at fault, <c>field</c>.
    /// </summary>
    public void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> extraHeaders = default)
    {
        var body = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(body, JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("type"u8, "urn:pipechat:api:" + Code);
            json.WriteString("title"u8, Title(Status));
            json.WriteNumber("status"u8, Status);
            json.WriteString("detail"u8, Detail);
            json.WriteString("code"u8, Code);
            if (Field is not null)
            {
                json.WriteString("field"u8, Field);
            }

            json.WriteEndObject();
        }

        if (Status == 401)
        {
            extraHeaders = "WWW-Authenticate: Bearer realm=\"pipechat-api\"\r\n"u8;
        }

        HandshakeResponse.WriteResponse(output, Status, "application/problem+json"u8, body.WrittenSpan, extraHeaders);
    }

    /// <summary>405 with the methods the endpoint takes.</summary>
    public static void WriteMethodNotAllowed(IBufferWriter<byte> output, bool getAllowed)
        => new ApiProblem(405, ApiProblemCodes.MethodNotAllowed, getAllowed ? "use GET or POST" : "use POST with a JSON body")
            .Write(output, getAllowed ? "Allow: GET, POST\r\n"u8 : "Allow: POST\r\n"u8);

    private static string Title(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        411 => "Length Required",
        413 => "Content Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Error",
    };
}
