using System.Buffers.Text;
using System.Text;

namespace PipeChat.Protocol.Chat;

/// <summary>
/// Appends hand-written JSON to a span the caller sized with the <c>Max…</c> bounds: literals,
/// escaped strings, integers and raw JSON copied verbatim. No checks beyond the span's own.
/// </summary>
internal ref struct JsonSpanWriter
{
    /// <summary>Most bytes one escaped input byte or char can become ("\u00XX").</summary>
    public const int MaxEscapeExpansion = 6;

    /// <summary>Most bytes of a long in decimal, sign included.</summary>
    public const int MaxInt64Length = 20;

    private readonly Span<byte> _buffer;
    private int _written;

    public JsonSpanWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _written = 0;
    }

    public readonly int Written => _written;

    /// <summary>Bound for a quoted, escaped string of <paramref name="length"/> bytes or chars.</summary>
    public static int MaxStringLength(int length) => (length * MaxEscapeExpansion) + 2;

    public void Raw(scoped ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer[_written..]);
        _written += bytes.Length;
    }

    public void Int64(long value)
    {
        Utf8Formatter.TryFormat(value, _buffer[_written..], out var n);
        _written += n;
    }

    public void Bool(bool value) => Raw(value ? "true"u8 : "false"u8);

    /// <summary>A JSON string from UTF-8 (assumed valid), quoted and escaped.</summary>
    public void String(scoped ReadOnlySpan<byte> utf8)
    {
        var buffer = _buffer;
        var pos = _written;
        buffer[pos++] = (byte)'"';
        var i = 0;
        while (i < utf8.Length)
        {
            // Copy the run that needs no escaping in one go.
            var run = utf8[i..].IndexOfAny(JsonEscaping.Needed);
            if (run < 0)
            {
                run = utf8.Length - i;
            }

            utf8.Slice(i, run).CopyTo(buffer[pos..]);
            pos += run;
            i += run;
            if (i < utf8.Length)
            {
                pos += JsonEscaping.Escape(utf8[i], buffer[pos..]);
                i++;
            }
        }

        buffer[pos++] = (byte)'"';
        _written = pos;
    }

    /// <summary>A JSON string from UTF-16, quoted, escaped and UTF-8 encoded; lone surrogates become U+FFFD.</summary>
    public void String(scoped ReadOnlySpan<char> text)
    {
        var buffer = _buffer;
        var pos = _written;
        buffer[pos++] = (byte)'"';
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c < 0x80)
            {
                if (JsonEscaping.Needed.Contains((byte)c))
                {
                    pos += JsonEscaping.Escape((byte)c, buffer[pos..]);
                }
                else
                {
                    buffer[pos++] = (byte)c;
                }

                i++;
                continue;
            }

            Rune.DecodeFromUtf16(text[i..], out var rune, out var consumed);
            pos += rune.EncodeToUtf8(buffer[pos..]);
            i += consumed;
        }

        buffer[pos++] = (byte)'"';
        _written = pos;
    }
}
