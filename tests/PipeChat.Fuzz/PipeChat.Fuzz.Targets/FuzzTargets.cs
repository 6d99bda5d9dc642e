using System.Text;

namespace PipeChat.Fuzz;

/// <summary>Every fuzz target, by the name scripts/fuzz.sh and the corpus folders use.</summary>
public static class FuzzTargets
{
    public static FuzzTarget WebSocket { get; } = new("websocket", WebSocketReaderTarget.Run, Tokens(
        "\x81", "\x82", "\x80", "\x00", "\x01", "\x88", "\x89", "\x8a", "\xfe", "\xff", "\x7e", "\x7f",
        "\x7e\x00\x7e", "\x7f\x00\x00\x00\x00\x00\x01\x00\x00", "\x03\xe8", "\x03\xed", "\xef\xbf\xbd", "\xc0\xaf", "\xed\xa0\x80"));

    public static FuzzTarget WebSocketDeflate { get; } = new("websocket-deflate", WebSocketReaderTarget.RunDeflate, Tokens(
        "\xc1", "\xc2", "\x41", "\x42", "\x80", "\x00", "\xc0", "\x88", "\x89", "\xc9", "\x7e", "\x7f",
        "\x00\x00\xff\xff", "\x7e\x00\x7e", "\x03\xe8", "\xef\xbf\xbd", "\xc0\xaf", "\xed\xa0\x80"));

    public static FuzzTarget Handshake { get; } = new("handshake", HandshakeTarget.Run, Tokens(
        "GET ", "POST ", "HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "\r\n", "\r\n\r\n", "\n", ": ", ":", " ", "\t",
        "Host: ", "Upgrade: websocket", "Connection: Upgrade", "Connection: keep-alive, Upgrade",
        "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Protocol: chat",
        "Sec-WebSocket-Extensions: permessage-deflate", "Origin: ", "/ws?", "id=", "&", "%", "%2", "%zz", "+", "#", "?"));

    public static FuzzTarget Chat { get; } = new("chat", ChatCodecTarget.Run, Tokens(
        "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "\\ud800", "\\udc00", "\\u0000", "null", "true", "1e400", "-0", "0.5",
        "\"type\"", "\"data\"", "\"ref\"", "\"roomid\"", "\"id\"", "\"since\"", "\"before\"", "\"limit\"", "\"epoch\"",
        "\"room\"", "\"notice\"", "\"ping\"", "\"join\"", "\"leave\"", "\"broadcast\"", "\"query\"", "\"history\"",
        "9223372036854775808", "2147483648", "/*", "*/", "\xc3\xa9", "\xf0\x9f\x98\x80", "\xff"));

    public static IReadOnlyList<FuzzTarget> All { get; } = [WebSocket, WebSocketDeflate, Handshake, Chat];

    public static FuzzTarget? Find(string name)
    {
        foreach (var target in All)
        {
            if (target.Name == name)
            {
                return target;
            }
        }

        return null;
    }

    // Latin-1 so "\xNN" in the literals above is the byte NN.
    private static byte[][] Tokens(params string[] tokens) => [.. tokens.Select(Encoding.Latin1.GetBytes)];
}
