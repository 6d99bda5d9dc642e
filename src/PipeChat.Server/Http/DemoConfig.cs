using System.Text.Json;

namespace PipeChat.Server.Http;

/// <summary>
/// /config.json: where the web demo page connects, the WebSocket port and scheme of this server.
/// The page uses them when it was loaded from <see cref="HttpPort"/> itself; behind a proxy (another
/// port) it connects to its own origin, where the proxy routes upgrades to the WebSocket port.
/// </summary>
internal sealed record DemoConfig(int WebSocketPort, string WebSocketScheme, int HttpPort)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
