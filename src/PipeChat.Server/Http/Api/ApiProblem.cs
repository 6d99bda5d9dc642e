using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace PipeChat.Server.Http.Api;

/// <summary>
/// An API error: HTTP status, stable code (<see cref="ApiProblemCodes"/>), human detail and the
/// offending field, if any. As a result it writes an RFC 9457 problem-details response
/// (application/problem+json): <c>type</c> (urn:pipechat:api:&lt;code&gt;), <c>title</c>,
/// <c>status</c>, <c>detail</c>, plus the extension members <c>code</c> and, when a request field
/// is at fault, <c>field</c>; 401 adds <c>WWW-Authenticate</c>, 405 <c>Allow</c>.
/// </summary>
internal readonly record struct ApiProblem(int Status, string Code, string Detail, string? Field = null, string? Allow = null) : IResult
{
    /// <summary>Escape only what JSON requires (the API's answers are not embedded in HTML).</summary>
    public static readonly JsonWriterOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>405 with the methods the endpoint takes.</summary>
    public static ApiProblem MethodNotAllowed(bool getAllowed)
        => new(405, ApiProblemCodes.MethodNotAllowed, getAllowed ? "use GET or POST" : "use POST with a JSON body", Allow: getAllowed ? "GET, POST" : "POST");

    public Task ExecuteAsync(HttpContext httpContext)
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

        var response = httpContext.Response;
        response.StatusCode = Status;
        response.ContentType = "application/problem+json";
        response.ContentLength = body.WrittenCount;
        if (Status == 401)
        {
            response.Headers.WWWAuthenticate = "Bearer realm=\"pipechat-api\"";
        }

        if (Allow is not null)
        {
            response.Headers.Allow = Allow;
        }

        return response.Body.WriteAsync(body.WrittenMemory).AsTask();
    }

    private static string Title(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Content Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Error",
    };
}
