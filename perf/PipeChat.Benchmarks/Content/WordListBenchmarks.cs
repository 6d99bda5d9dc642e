using System.Text;
using BenchmarkDotNet.Attributes;
using PipeChat.Server.Content;

namespace PipeChat.Benchmarks.Content;

/// <summary>
/// The sensitive-word scan of one room message's data against 5,000 words (--word-list): a
/// ~150 B chat message with no listed word (the common case, target 0 B allocated), and the same
/// message holding one, masked and blocked. Words are 2 to 4 Chinese characters drawn from a pool
/// that holds the message's own characters, so the automaton follows partial matches as it goes,
/// plus ASCII words; messages per second = 1e9 / mean (ns).
/// </summary>
[MemoryDiagnoser]
public class WordListBenchmarks
{
    private const string Clean = """{"info":"今晚七点在老地方见，别迟到了 see you at 7","kind":"text","createdAt":1732680000000,"read":false,"room":"r1"}""";

    private WordMatcher _matcher = WordMatcher.Empty;
    private byte[] _clean = [];
    private byte[] _dirty = [];

    [Params(5000)]
    public int Words { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        var pool = Clean.Where(c => c >= 0x4E00 && c <= 0x9FFF).Concat(Enumerable.Range(0x4E00, 2000).Select(i => (char)i)).ToArray();
        var words = new HashSet<string>();
        while (words.Count < Words * 9 / 10)
        {
            var length = random.Next(2, 5);
            var word = new string(Enumerable.Range(0, length).Select(_ => pool[random.Next(pool.Length)]).ToArray());
            if (!Clean.Contains(word, StringComparison.Ordinal))
            {
                words.Add(word);
            }
        }

        while (words.Count < Words)
        {
            var word = new string(Enumerable.Range(0, random.Next(4, 9)).Select(_ => (char)('a' + random.Next(26))).ToArray());
            if (!Clean.Contains(word, StringComparison.OrdinalIgnoreCase))
            {
                words.Add(word);
            }
        }

        var listed = words.First(w => w[0] >= 0x4E00);
        _matcher = WordMatcher.Build(words);
        _clean = Encoding.UTF8.GetBytes(Clean);
        _dirty = Encoding.UTF8.GetBytes(Clean.Replace("老地方", listed, StringComparison.Ordinal));
        if (JsonWordScan.Scan(_matcher, _clean, mask: false, out _) || !JsonWordScan.Scan(_matcher, _dirty, mask: false, out _))
        {
            throw new InvalidOperationException("benchmark messages do not match as intended");
        }
    }

    [Benchmark(Baseline = true)]
    public bool Clean_message() => JsonWordScan.Scan(_matcher, _clean, mask: true, out _);

    [Benchmark]
    public int Message_with_a_word_masked()
    {
        JsonWordScan.Scan(_matcher, _dirty, mask: true, out var masked);
        return masked!.Length;
    }

    [Benchmark]
    public bool Message_with_a_word_blocked() => JsonWordScan.Scan(_matcher, _dirty, mask: false, out _);
}
