using System.Text;
using PipeChat.Server.Content;

namespace PipeChat.Server.Tests.Content;

/// <summary>The Aho–Corasick matcher and its scan over JSON strings: matches, folding, masking per scalar, JSON kept valid.</summary>
public sealed class WordMatcherTests
{
    private static string Mask(string json, params string[] words)
    {
        var matcher = WordMatcher.Build(words);
        return JsonWordScan.Scan(matcher, Encoding.UTF8.GetBytes(json), mask: true, out var masked)
            ? Encoding.UTF8.GetString(masked!)
            : json;
    }

    private static bool Blocks(string json, params string[] words)
        => JsonWordScan.Scan(WordMatcher.Build(words), Encoding.UTF8.GetBytes(json), mask: false, out _);

    [Fact]
    public void Finds_every_word_of_a_list_in_one_pass_including_overlaps_and_words_inside_words()
    {
        var matcher = WordMatcher.Build(["he", "she", "his", "hers"]);
        Assert.Equal(4, matcher.Count);
        Assert.True(matcher.Contains("ushers"));
        Assert.False(matcher.Contains("hi sh e"));
        Assert.Equal("""{"t":"u*****"}""", Mask("""{"t":"ushers"}""", "he", "she", "his", "hers"));
    }

    [Fact]
    public void Masks_each_chinese_character_of_a_match_with_one_star_and_keeps_the_rest()
    {
        Assert.Equal("""{"text":"你是**吗"}""", Mask("""{"text":"你是笨蛋吗"}""", "笨蛋"));
        Assert.Equal("""{"text":"****"}""", Mask("""{"text":"坏人坏事"}""", "坏人", "人坏", "坏事"));
    }

    [Fact]
    public void Matches_any_case_and_full_width_forms_and_masks_the_original_characters()
    {
        Assert.Equal("""{"a":"**** it","b":"** ****"}""", Mask("""{"a":"SpAm it","b":"ok ｓｐａｍ"}""", "spam", "ok"));
        Assert.True(Blocks("""["BAD"]""", "bad"));
        Assert.True(Blocks("""["x"]""", "X"));
    }

    [Fact]
    public void Decodes_json_escapes_and_masks_the_whole_escape()
    {
        // \u7b28\u86cb is 笨蛋; \" inside a word is matched as the quote it stands for.
        Assert.Equal("""{"t":"a**b"}""", Mask("""{"t":"a\u7b28\u86cbb"}""", "笨蛋"));
        Assert.Equal("""{"t":"*** ok"}""", Mask("""{"t":"a\"b ok"}""", "a\"b"));
    }

    [Fact]
    public void An_emoji_or_other_astral_character_counts_as_one_character()
    {
        Assert.Equal("""{"t":"x**y"}""", Mask("""{"t":"x😀😀y"}""", "😀😀"));
        Assert.Equal("""{"t":"x*y"}""", Mask("""{"t":"x\ud83d\ude00y"}""", "😀"));
    }

    [Fact]
    public void Looks_at_strings_only_keys_included_and_never_across_two_strings()
    {
        Assert.False(Blocks("""{"n":12345}""", "234"));
        Assert.False(Blocks("""{"a":"ba","b":"d"}""", "bad"));
        Assert.False(Blocks("""[true,null,false]""", "true", "null"));
        Assert.Equal("""{"***":1}""", Mask("""{"bad":1}""", "bad"));
        Assert.Equal("\"***\"", Mask("\"bad\"", "bad"));
    }

    [Fact]
    public void Blank_lines_and_spaces_around_words_are_ignored_and_overlong_words_skipped()
    {
        var matcher = WordMatcher.Build(["", "  ", " bad \r", new string('x', WordMatcher.MaxWordLength + 1)]);
        Assert.Equal(1, matcher.Count);
        Assert.Equal(1, matcher.Skipped);
        Assert.False(matcher.Contains(new string('x', 200)));
        Assert.True(matcher.Contains("so bad"));
    }

    [Fact]
    public void An_empty_list_matches_nothing()
    {
        Assert.False(Blocks("""{"t":"anything"}"""));
        Assert.Equal(0, WordMatcher.Empty.Count);
    }

    [Fact]
    public void A_long_message_masked_at_both_ends_stays_the_same_json()
    {
        var filler = string.Concat(Enumerable.Repeat("正常内容 ", 300));
        var masked = Mask($$"""{"t":"坏词{{filler}}坏词"}""", "坏词");
        Assert.Equal($$"""{"t":"**{{filler}}**"}""", masked);
        using var _ = System.Text.Json.JsonDocument.Parse(masked);
    }
}
