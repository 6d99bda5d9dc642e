using System.Text;

namespace PipeChat.Server.Content;

/// <summary>
/// Runs a <see cref="WordMatcher"/> over the strings of a JSON value (a message's <c>data</c>, as
/// the client sent it, already checked to be JSON by the request parser): every string, keys
/// included, is decoded (UTF-8 and JSON escapes alike, so <c>\u4f60</c> is matched as 你) and fed
/// to the automaton, which starts afresh at each string (a word never spans two strings). Numbers,
/// <c>true</c>, <c>false</c> and <c>null</c> are not looked at. Allocates nothing unless it masks.
/// Masking replaces each Unicode scalar of a match (one UTF-8 sequence, one escape, or an escaped
/// surrogate pair) by one <c>*</c>, so the result is still JSON with the same shape.
/// </summary>
internal static class JsonWordScan
{
    private const int RingMask = WordMatcher.MaxWordLength - 1;
    private const int NotFirst = int.MinValue;

    /// <summary>
    /// Whether <paramref name="json"/> holds a listed word. With <paramref name="mask"/>: every
    /// match is masked in <paramref name="masked"/>, a new array (null when nothing matched);
    /// without: stops at the first match.
    /// </summary>
    public static bool Scan(WordMatcher matcher, ReadOnlySpan<byte> json, bool mask, out byte[]? masked)
    {
        masked = null;
        if (matcher.Count == 0)
        {
            return false;
        }

        Span<int> ring = stackalloc int[WordMatcher.MaxWordLength];
        List<MaskRange>? ranges = null;
        var unit = 0;
        var openEnd = int.MinValue;
        var i = 0;
        while (i < json.Length)
        {
            var quote = json[i..].IndexOf((byte)'"');
            if (quote < 0)
            {
                break;
            }

            i += quote + 1;
            var state = 0;
            unit += 2; // a gap: ranges of two strings never merge
            while (i < json.Length)
            {
                var b = json[i];
                if (b == '"')
                {
                    i++;
                    break;
                }

                var start = i;
                char u1;
                var u2 = '\0';
                if (b < 0x80 && b != '\\')
                {
                    u1 = (char)b;
                    i++;
                }
                else if (b == '\\')
                {
                    u1 = Unescape(json, ref i);
                }
                else if ((b & 0xF0) == 0xE0 && i + 2 < json.Length && (json[i + 1] & 0xC0) == 0x80 && (json[i + 2] & 0xC0) == 0x80)
                {
                    // Three bytes: every Chinese character.
                    u1 = (char)(((b & 0x0F) << 12) | ((json[i + 1] & 0x3F) << 6) | (json[i + 2] & 0x3F));
                    i += 3;
                }
                else
                {
                    System.Buffers.OperationStatus status = Rune.DecodeFromUtf8(json[i..], out var rune, out var consumed);
                    i += Math.Max(consumed, 1);
                    if (status != System.Buffers.OperationStatus.Done)
                    {
                        rune = Rune.ReplacementChar;
                    }

                    if (rune.IsBmp)
                    {
                        u1 = (char)rune.Value;
                    }
                    else
                    {
                        var v = rune.Value - 0x10000;
                        u1 = (char)(0xD800 + (v >> 10));
                        u2 = (char)(0xDC00 + (v & 0x3FF));
                    }
                }

                for (var k = 0; k < 2; k++)
                {
                    var u = k == 0 ? u1 : u2;
                    if (k == 1 && u == '\0')
                    {
                        break;
                    }

                    state = matcher.Step(state, WordFolding.Fold(u));
                    ring[unit & RingMask] = char.IsLowSurrogate(u) ? start | NotFirst : start;
                    var length = matcher.MatchLength(state);
                    if (length != 0)
                    {
                        if (!mask)
                        {
                            return true;
                        }

                        var first = unit - length + 1;
                        if (ranges is not null && first <= openEnd + 1)
                        {
                            var last = ranges[^1];
                            ranges[^1] = last with { End = i, Stars = last.Stars + Scalars(ring, openEnd + 1, unit) };
                        }
                        else
                        {
                            ranges ??= [];
                            ranges.Add(new MaskRange(ring[first & RingMask] & ~NotFirst, i, Scalars(ring, first, unit)));
                        }

                        openEnd = unit;
                    }

                    unit++;
                }
            }
        }

        if (ranges is null)
        {
            return false;
        }

        masked = Apply(json, ranges);
        return true;
    }

    /// <summary>Scalars among units <paramref name="from"/>..<paramref name="to"/> (a low surrogate belongs to the unit before it).</summary>
    private static int Scalars(ReadOnlySpan<int> ring, int from, int to)
    {
        var n = 0;
        for (var u = from; u <= to; u++)
        {
            if ((ring[u & RingMask] & NotFirst) == 0)
            {
                n++;
            }
        }

        return n;
    }

    /// <summary>Decodes the escape at <paramref name="i"/> (a backslash) and moves past it; a broken one reads as U+FFFD.</summary>
    private static char Unescape(ReadOnlySpan<byte> json, ref int i)
    {
        if (i + 1 >= json.Length)
        {
            i++;
            return '\uFFFD';
        }

        var e = json[i + 1];
        i += 2;
        switch (e)
        {
            case (byte)'n': return '\n';
            case (byte)'t': return '\t';
            case (byte)'r': return '\r';
            case (byte)'b': return '\b';
            case (byte)'f': return '\f';
            case (byte)'u':
                if (i + 4 <= json.Length && TryHex(json.Slice(i, 4), out var value))
                {
                    i += 4;
                    return (char)value;
                }

                return '\uFFFD';
            default: return (char)e; // \" \\ \/
        }
    }

    private static bool TryHex(ReadOnlySpan<byte> hex, out int value)
    {
        value = 0;
        foreach (var h in hex)
        {
            var d = h switch
            {
                >= (byte)'0' and <= (byte)'9' => h - '0',
                >= (byte)'a' and <= (byte)'f' => h - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => h - 'A' + 10,
                _ => -1,
            };
            if (d < 0)
            {
                return false;
            }

            value = (value << 4) | d;
        }

        return true;
    }

    private static byte[] Apply(ReadOnlySpan<byte> json, List<MaskRange> ranges)
    {
        var total = json.Length;
        foreach (var r in ranges)
        {
            total += r.Stars - (r.End - r.Start);
        }

        var output = new byte[total];
        var at = 0;
        var from = 0;
        foreach (var r in ranges)
        {
            json[from..r.Start].CopyTo(output.AsSpan(at));
            at += r.Start - from;
            output.AsSpan(at, r.Stars).Fill((byte)'*');
            at += r.Stars;
            from = r.End;
        }

        json[from..].CopyTo(output.AsSpan(at));
        return output;
    }

    /// <summary>Bytes <see cref="Start"/>..<see cref="End"/> of the JSON become <see cref="Stars"/> asterisks.</summary>
    private readonly record struct MaskRange(int Start, int End, int Stars);
}
