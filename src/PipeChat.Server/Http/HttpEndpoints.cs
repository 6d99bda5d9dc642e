using System.Buffers;
using System.Text;
using PipeChat.Protocol.Handshake;
using PipeChat.Server.Connections;

namespace PipeChat.Server.Http;

/// <summary>
/// Answers plain HTTP requests on the WebSocket port, one request per connection
/// (Connection: close): <c>GET /healthz</c> for load balancers, 426 for chat paths requested
/// without an upgrade, and 404 for anything else, naming the HTTP port that serves the server
/// API, /metrics and the web demo (see <see cref="HttpSite"/>).
/// </summary>
internal static class HttpEndpoints
{
    /// <summary>Answers <paramref name="request"/>; <paramref name="afterHead"/>: the bytes received after its head (a POST's body, skipped).</summary>
    public static HttpAnswer Respond(in HandshakeRequest request, in ReadOnlySequence<byte> afterHead, IBufferWriter<byte> output, ServerContext server)
    {
        var path = request.Path;
        if (path.SequenceEqual("/healthz"u8) && !request.IsPost)
        {
            HandshakeResponse.WriteResponse(output, server.ShuttingDown ? 503 : 200, "text/plain; charset=utf-8"u8, Health.Text(server.ShuttingDown, server.Degraded));
        }
        else if (IsSingleSegment(path) && !request.IsPost && !path.SequenceEqual("/metrics"u8) && !path.SequenceEqual("/healthz"u8))
        {
            HandshakeResponse.WriteError(output, new HandshakeError(426, "this path speaks WebSocket: send an Upgrade request"));
        }
        else
        {
            HandshakeResponse.WriteResponse(output, 404, "text/plain; charset=utf-8"u8, Encoding.UTF8.GetBytes(NotHere(server)));
        }

        return HttpAnswer.Refused(request.ContentLength, afterHead.Length);
    }

    private static string NotHere(ServerContext server)
    {
        var options = server.Options;
        return options.HttpBind == "off"
            ? "not found: this port serves WebSocket upgrades and GET /healthz; the HTTP endpoint (server API, /metrics, web demo) is off (--http-bind off)\n"
            : $"not found: this port serves WebSocket upgrades and GET /healthz; the server API (/api/), /metrics and the web demo are on the HTTP port {options.HttpPort} (--http-port, bound to {options.HttpBind})\n";
    }

    private static bool IsSingleSegment(ReadOnlySpan<byte> path)
        => path.Length > 1 && path[0] == (byte)'/' && path[1..].IndexOf((byte)'/') < 0;
}
