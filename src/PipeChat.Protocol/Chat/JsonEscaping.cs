using System.Buffers;
using System.Runtime.CompilerServices;

namespace PipeChat.Protocol.Chat;

/// <summary>Which bytes JSON strings must escape (RFC 8259 §7) and how.</summary>
internal static class JsonEscaping
{
    public static readonly SearchValues<byte> Needed = SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000B\f\r\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\"\\"u8);

    /// <summary>Writes the escape for <paramref name="b"/> (one of <see cref="Needed"/>); returns its length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Escape(byte b, Span<byte> destination)
    {
        destination[0] = (byte)'\\';
        switch (b)
        {
            case (byte)'"': destination[1] = (byte)'"'; return 2;
            case (byte)'\\': destination[1] = (byte)'\\'; return 2;
            case (byte)'\n': destination[1] = (byte)'n'; return 2;
            case (byte)'\r': destination[1] = (byte)'r'; return 2;
            case (byte)'\t': destination[1] = (byte)'t'; return 2;
            case (byte)'\b': destination[1] = (byte)'b'; return 2;
            case (byte)'\f': destination[1] = (byte)'f'; return 2;
        }

        destination[1] = (byte)'u';
        destination[2] = (byte)'0';
        destination[3] = (byte)'0';
        destination[4] = HexDigit(b >> 4);
        destination[5] = HexDigit(b & 0xF);
        return 6;
    }

    private static byte HexDigit(int value) => (byte)(value < 10 ? '0' + value : 'a' + value - 10);
}
