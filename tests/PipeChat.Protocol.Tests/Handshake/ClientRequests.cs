namespace PipeChat.Protocol.Tests.Handshake;

/// <summary>Upgrade requests written byte for byte the way real clients send them.</summary>
internal static class ClientRequests
{
    /// <summary>Chrome 120 (desktop).</summary>
    public const string Chrome =
        "GET /chat?room=lobby&token=a%20b HTTP/1.1\r\n" +
        "Host: chat.example.com\r\n" +
        "Connection: Upgrade\r\n" +
        "Pragma: no-cache\r\n" +
        "Cache-Control: no-cache\r\n" +
        "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36\r\n" +
        "Upgrade: websocket\r\n" +
        "Origin: https://chat.example.com\r\n" +
        "Sec-WebSocket-Version: 13\r\n" +
        "Accept-Encoding: gzip, deflate, br\r\n" +
        "Accept-Language: en-US,en;q=0.9\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" +
        "\r\n";

    /// <summary>Firefox 121: note "Connection: keep-alive, Upgrade" and a subprotocol list.</summary>
    public const string Firefox =
        "GET /chat HTTP/1.1\r\n" +
        "Host: chat.example.com\r\n" +
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0\r\n" +
        "Accept: */*\r\n" +
        "Accept-Language: en-US,en;q=0.5\r\n" +
        "Accept-Encoding: gzip, deflate, br\r\n" +
        "Sec-WebSocket-Version: 13\r\n" +
        "Origin: https://chat.example.com\r\n" +
        "Sec-WebSocket-Protocol: pipechat.v1, chat\r\n" +
        "Sec-WebSocket-Extensions: permessage-deflate\r\n" +
        "Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==\r\n" +
        "Connection: keep-alive, Upgrade\r\n" +
        "Sec-Fetch-Dest: empty\r\n" +
        "Sec-Fetch-Mode: websocket\r\n" +
        "Sec-Fetch-Site: same-origin\r\n" +
        "Pragma: no-cache\r\n" +
        "Cache-Control: no-cache\r\n" +
        "Upgrade: websocket\r\n" +
        "\r\n";

    /// <summary>.NET ClientWebSocket (SocketsHttpHandler) with one subprotocol.</summary>
    public const string DotNetClientWebSocket =
        "GET /ws HTTP/1.1\r\n" +
        "Host: localhost:5000\r\n" +
        "Connection: Upgrade\r\n" +
        "Upgrade: websocket\r\n" +
        "Sec-WebSocket-Version: 13\r\n" +
        "Sec-WebSocket-Protocol: pipechat.v1\r\n" +
        "Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEA==\r\n" +
        "\r\n";

    /// <summary>node "ws" 8.x: Host last, extension offer.</summary>
    public const string NodeWs =
        "GET /chat HTTP/1.1\r\n" +
        "Sec-WebSocket-Version: 13\r\n" +
        "Sec-WebSocket-Key: 6dMw/7uA2uk8UkmKD4KcJw==\r\n" +
        "Connection: Upgrade\r\n" +
        "Upgrade: websocket\r\n" +
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" +
        "Host: 127.0.0.1:8080\r\n" +
        "\r\n";

    /// <summary>python websockets 12.</summary>
    public const string PythonWebsockets =
        "GET /chat?room=general HTTP/1.1\r\n" +
        "Host: localhost:8765\r\n" +
        "Upgrade: websocket\r\n" +
        "Connection: Upgrade\r\n" +
        "Sec-WebSocket-Key: kKlQTXzD7eG3hkuhDq3fNA==\r\n" +
        "Sec-WebSocket-Version: 13\r\n" +
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" +
        "User-Agent: Python/3.12 websockets/12.0\r\n" +
        "\r\n";

    /// <summary>A minimal valid upgrade, used where a test edits one header.</summary>
    public static string Minimal(string headers = "Host: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n")
        => "GET / HTTP/1.1\r\n" + headers + "\r\n";
}
