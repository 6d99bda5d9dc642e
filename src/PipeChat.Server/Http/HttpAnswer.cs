using PipeChat.Server.Http.Api;

namespace PipeChat.Server.Http;

/// <summary>
/// How a plain HTTP request on the WebSocket port was answered: <see cref="NeedMoreData"/> (its
/// body is still coming), else the body bytes it used, the bytes of a refused body to read and
/// drop before closing, and an API request still to run (never set now: the API is on the HTTP
/// port; the field goes when the handshake stops asking for it).
/// </summary>
internal readonly record struct HttpAnswer(bool NeedMoreData, long BodyBytes, long DrainBytes, ApiRequest? Pending)
{
    /// <summary>Most bytes read and dropped after refusing a request whose body is still coming (so the answer is not lost to a TCP reset).</summary>
    public const long MaxDrainBytes = 1024 * 1024;

    public static HttpAnswer Done => default;

    /// <summary>Answered without using the body: what of it has arrived is skipped, the rest (up to <see cref="MaxDrainBytes"/>) drained.</summary>
    public static HttpAnswer Refused(long contentLength, long received)
    {
        var declared = Math.Max(contentLength, 0);
        return new HttpAnswer(false, Math.Min(declared, received), Math.Min(Math.Max(declared - received, 0), MaxDrainBytes), null);
    }
}
