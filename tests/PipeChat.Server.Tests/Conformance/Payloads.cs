using System.Text;

namespace PipeChat.Server.Tests.Conformance;

/// <summary>Deterministic payloads of exact byte lengths.</summary>
internal static class Payloads
{
    private static readonly byte[] s_utf8Pattern = Encoding.UTF8.GetBytes("PipeChat 你好，世界 κόσμε 🎉🚀 ");

    /// <summary>Binary bytes 0..255 repeated.</summary>
    public static byte[] Binary(int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i * 31 + 7);
        }

        return bytes;
    }

    /// <summary>Valid UTF-8 of exactly <paramref name="length"/> bytes, mixing 1- to 4-byte sequences.</summary>
    public static byte[] Utf8(int length)
    {
        var bytes = new byte[length];
        var written = 0;
        while (length - written >= s_utf8Pattern.Length)
        {
            s_utf8Pattern.CopyTo(bytes, written);
            written += s_utf8Pattern.Length;
        }

        bytes.AsSpan(written).Fill((byte)'*');
        return bytes;
    }

    public static byte[] For(bool text, int length) => text ? Utf8(length) : Binary(length);
}
