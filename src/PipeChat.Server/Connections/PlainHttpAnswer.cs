using System.Buffers;
using System.Text;
using PipeChat.Protocol.Handshake;
using PipeChat.Server.Diagnostics;

namespace PipeChat.Server.Connections;

/// <summary>
/// Answers a request without an upgrade on the WebSocket port, one per connection
/// (<c>Connection: close</c>): <c>GET /healthz</c> for load balancers, 426 for a chat path asked
/// for without an upgrade, and 404 for anything else, naming the HTTP port that serves the server
/// API, /metrics and the web demo.
/// </summary>
internal static class PlainHttpAnswer
{
    /// <summary>Most bytes of a refused request's body read and dropped before closing (so the answer is not lost to a TCP reset).</summary>
    public const long MaxDrainBytes = 1024 * 1024;

    /// <summary>
    /// Writes the answer to <paramref name="request"/>. Returns how many bytes of its body that
    /// arrived with the head to skip (<paramref name="bodyBytes"/>), and how many more to read and
    /// drop before closing.
    /// </summary>
    public static long Write(in HandshakeRequest request, long received, IBufferWriter<byte> output, ServerContext server, out long bodyBytes)
    {
        var path = request.Path;
        if (path.SequenceEqual("/healthz"u8) && !request.IsPost)
        {
            HandshakeResponse.WriteResponse(output, server.ShuttingDown ? 503 : 200, "text/plain; charset=utf-8"u8, Health.Text(server.ShuttingDown, server.Degraded));
        }
        else if (IsSingleSegment(path) && !request.IsPost && !path.SequenceEqual("/metrics"u8))
        {
            HandshakeResponse.WriteError(output, new HandshakeError(426, "this path speaks WebSocket: send an Upgrade request"));
        }
        else
        {
            HandshakeResponse.WriteResponse(output, 404, "text/plain; charset=utf-8"u8, Encoding.UTF8.GetBytes(NotHere(server.Options)));
        }

        var declared = Math.Max(request.ContentLength, 0);
        bodyBytes = Math.Min(declared, received);
        return Math.Min(Math.Max(declared - received, 0), MaxDrainBytes);
    }

    private static string NotHere(Configuration.ServerOptions options) => options.HttpBind == "off"
        ? "not found: this port serves WebSocket upgrades and GET /healthz; the HTTP endpoint (server API, /metrics, web demo) is off (--http-bind off)\n"
        : $"not found: this port serves WebSocket upgrades and GET /healthz; the server API (/api/), /metrics and the web demo are on the HTTP port {options.HttpPort} (--http-port, bound to {options.HttpBind})\n";

    private static bool IsSingleSegment(ReadOnlySpan<byte> path)
        => path.Length > 1 && path[0] == (byte)'/' && path[1..].IndexOf((byte)'/') < 0;
}
