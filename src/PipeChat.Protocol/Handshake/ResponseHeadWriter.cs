using System.Buffers.Text;

namespace PipeChat.Protocol.Handshake;

/// <summary>Appends ASCII pieces of a response head to a span sized in advance.</summary>
internal ref struct ResponseHeadWriter(Span<byte> buffer)
{
    /// <summary>Longest decimal int, sign included.</summary>
    public const int MaxIntLength = 11;

    private readonly Span<byte> _buffer = buffer;
    private int _written;

    public readonly int Written => _written;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer[_written..]);
        _written += bytes.Length;
    }

    public void Write(int value)
    {
        if (!Utf8Formatter.TryFormat(value, _buffer[_written..], out var length))
        {
            throw new InvalidOperationException("Response head buffer too small.");
        }

        _written += length;
    }

    /// <summary>"HTTP/1.1 NNN Phrase\r\n".</summary>
    public void WriteStatusLine(int statusCode)
    {
        Write("HTTP/1.1 "u8);
        Write(statusCode);
        Write(" "u8);
        Write(HttpStatusPhrases.Get(statusCode));
        Write("\r\n"u8);
    }

    /// <summary>Upper bound of <see cref="WriteStatusLine"/>'s output.</summary>
    public static int StatusLineLength(int statusCode)
        => "HTTP/1.1 "u8.Length + MaxIntLength + 1 + HttpStatusPhrases.Get(statusCode).Length + 2;
}
