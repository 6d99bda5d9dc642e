using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace PipeChat.Server.Hosting;

/// <summary>The server's two Kestrel endpoints; once started, their <c>IPEndPoint</c> holds the port bound (port 0 picks one).</summary>
internal sealed class BoundEndpoints
{
    public ListenOptions? WebSocket { get; set; }

    /// <summary>The HTTP endpoint, or null with --http-bind off.</summary>
    public ListenOptions? Http { get; set; }
}
