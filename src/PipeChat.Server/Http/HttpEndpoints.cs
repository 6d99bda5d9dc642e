using System.Buffers;
using System.Text;
using PipeChat.Protocol.Handshake;
using PipeChat.Server.Connections;
using PipeChat.Server.Http.Api;

namespace PipeChat.Server.Http;

/// <summary>
/// Answers plain HTTP requests on the WebSocket port, one request per connection
/// (Connection: close): the server API under /api/ (when configured), /healthz, /metrics, the
/// web demo's files (wwwroot), a short page at / when there is no demo, 426 for chat paths
/// requested without an upgrade, 404 for anything else; POST only to the API (else 405).
/// </summary>
internal static class HttpEndpoints
{
    /// <summary>Answers <paramref name="request"/>; <paramref name="afterHead"/>: the bytes received after its head (a POST's body).</summary>
    public static HttpAnswer Respond(in HandshakeRequest request, in ReadOnlySequence<byte> afterHead, IBufferWriter<byte> output, ServerContext server)
    {
        if (ServerApi.IsApiPath(request.Path))
        {
            return ServerApi.Begin(server.Api, request, afterHead, output);
        }

        if (request.IsPost)
        {
            HandshakeResponse.WriteError(output, new HandshakeError(405, "method POST not allowed, use GET"));
            return HttpAnswer.Refused(request.ContentLength, afterHead.Length);
        }

        Respond(request, output, server);
        return HttpAnswer.Done;
    }

    public static void Respond(in HandshakeRequest request, IBufferWriter<byte> output, ServerContext server)
    {
        var path = request.Path;
        if (path.SequenceEqual("/healthz"u8))
        {
            // Degraded still answers 200: the node serves its own clients, so keep routing to it.
            var body = server.ShuttingDown ? "shutting down\n"u8
                : server.Degraded?.Invoke() == true ? "degraded: redis unavailable\n"u8
                : "ok\n"u8;
            HandshakeResponse.WriteResponse(output, server.ShuttingDown ? 503 : 200, "text/plain; charset=utf-8"u8, body);
            return;
        }

        if (path.SequenceEqual("/metrics"u8))
        {
            var text = server.Metrics.RenderPrometheus();
            HandshakeResponse.WriteResponse(output, 200, "text/plain; version=0.0.4; charset=utf-8"u8, Encoding.UTF8.GetBytes(text));
            return;
        }

        if (server.StaticFiles.TryGet(path, out var file, out var contentType))
        {
            HandshakeResponse.WriteResponse(output, 200, contentType, file);
            return;
        }

        if (path.SequenceEqual("/"u8))
        {
            HandshakeResponse.WriteResponse(output, 200, "text/plain; charset=utf-8"u8,
                "PipeChat WebSocket chat server. Connect with ws://host:port/<your-id>; health at /healthz, metrics at /metrics.\n"u8);
            return;
        }

        if (IsSingleSegment(path))
        {
            HandshakeResponse.WriteError(output, new HandshakeError(426, "this path speaks WebSocket: send an Upgrade request"));
            return;
        }

        HandshakeResponse.WriteError(output, new HandshakeError(404, "not found"));
    }

    private static bool IsSingleSegment(ReadOnlySpan<byte> path)
        => path.Length > 1 && path[0] == (byte)'/' && path[1..].IndexOf((byte)'/') < 0;
}
