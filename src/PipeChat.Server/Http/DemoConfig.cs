using System.Text.Json;

namespace PipeChat.Server.Http;

/// <summary>/config.json: where the web demo page connects, the WebSocket port and scheme of this server (the page is served from the HTTP port).</summary>
internal sealed record DemoConfig(int WebSocketPort, string WebSocketScheme)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
