namespace PipeChat.Server.Content;

/// <summary>
/// How the word list compares characters, one UTF-16 code unit at a time, the same for the list
/// and for messages: letters in any case match (invariant lower case), full-width ASCII forms
/// (U+FF01–U+FF5E, common in Chinese input methods) match their ASCII twins, and the ideographic
/// space U+3000 matches a space. Nothing else is folded (no traditional/simplified mapping, no
/// removal of spaces or punctuation placed between the characters of a word).
/// </summary>
internal static class WordFolding
{
    /// <summary>Every code unit's folded form, worked out once (128 KiB): folding costs one read.</summary>
    private static readonly char[] s_table = Table();

    public static char Fold(char c) => s_table[c];

    private static char[] Table()
    {
        var table = new char[char.MaxValue + 1];
        for (var c = 0; c <= char.MaxValue; c++)
        {
            table[c] = Compute((char)c);
        }

        return table;
    }

    private static char Compute(char c)
    {
        if (c < 0x80)
        {
            return (uint)(c - 'A') <= 'Z' - 'A' ? (char)(c | 0x20) : c;
        }

        if ((uint)(c - 0xFF01) <= 0xFF5E - 0xFF01)
        {
            return Compute((char)(c - 0xFEE0));
        }

        if (c == '\u3000')
        {
            return ' ';
        }

        return char.IsSurrogate(c) ? c : char.ToLowerInvariant(c);
    }
}
