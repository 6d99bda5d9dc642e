using System.Text;

namespace PipeChat.Server.Tests.Interop;

/// <summary>
/// The scripted cases every interop client runs, by name. tests/interop/ws-client.mjs and
/// tests/interop/py_client.py carry the same list and report one result per name.
/// </summary>
internal static class InteropCases
{
    public const string Ping = "ping";
    public const string Close = "close-1000";

    /// <summary>permessage-deflate negotiated as the client configured it (on: accepted; off: none).</summary>
    public const string Deflate = "deflate";

    /// <summary>A 3-fragment message of 96 KiB with a ping between its first two fragments.</summary>
    public static readonly string[] Fragmented = ["fragmented-text", "fragmented-binary"];

    private const string SizedTextPattern = "PipeChat 你好 🎉 ";

    public static readonly string[] Transports = ["ws", "wss"];

    public static readonly string[] Messages =
    [
        "text-ascii", "text-chinese", "text-emoji",
        "text-0", "text-125", "text-126", "text-65535", "text-65536", "text-1mib",
        "binary-0", "binary-125", "binary-126", "binary-65535", "binary-65536", "binary-1mib",
    ];

    public static IEnumerable<string> All => [Deflate, .. Messages, .. Fragmented, Ping, Close];

    /// <summary>The payload for a message case: text as UTF-8 bytes, or binary bytes.</summary>
    public static (bool IsText, byte[] Payload) Message(string name) => name switch
    {
        "text-ascii" => (true, "Hello, PipeChat!"u8.ToArray()),
        "text-chinese" => (true, "你好，世界！聊天室欢迎你。"u8.ToArray()),
        "text-emoji" => (true, "emoji 🎉🚀😀👋🏽 𝄞"u8.ToArray()),
        _ when name.StartsWith("text-", StringComparison.Ordinal) => (true, SizedText(Size(name))),
        _ when name.StartsWith("binary-", StringComparison.Ordinal) => (false, SizedBinary(Size(name))),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown interop case"),
    };

    /// <summary>UTF-8 of exactly <paramref name="length"/> bytes: the pattern repeated, padded with 'x' (same rule as the scripts).</summary>
    public static byte[] SizedText(int length)
    {
        var pattern = Encoding.UTF8.GetBytes(SizedTextPattern);
        var bytes = new byte[length];
        var written = 0;
        while (length - written >= pattern.Length)
        {
            pattern.CopyTo(bytes, written);
            written += pattern.Length;
        }

        bytes.AsSpan(written).Fill((byte)'x');
        return bytes;
    }

    /// <summary>Byte i is (i * 7 + 3) mod 256 (same rule as the scripts).</summary>
    public static byte[] SizedBinary(int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i * 7 + 3);
        }

        return bytes;
    }

    private static int Size(string name)
    {
        var size = name[(name.IndexOf('-', StringComparison.Ordinal) + 1)..];
        return size == "1mib" ? 1024 * 1024 : int.Parse(size, System.Globalization.CultureInfo.InvariantCulture);
    }
}
