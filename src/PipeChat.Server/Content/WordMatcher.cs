namespace PipeChat.Server.Content;

/// <summary>
/// An immutable Aho–Corasick automaton over folded UTF-16 code units (<see cref="WordFolding"/>):
/// one pass over a text finds every listed word in it, whatever the number of words. The root's
/// transitions are a dense table (one array read for the first character of any word, and a
/// character that starts no word stays at the root); other states keep their transitions sorted,
/// searched by halving. Each state knows the longest word ending there, so a scan reports, at each
/// position, the longest match ending at it (every shorter one ending there lies inside it).
/// Built once per list (<see cref="WordListFile"/> swaps a new one in when the file changes).
/// </summary>
internal sealed class WordMatcher
{
    /// <summary>Longest word kept, in UTF-16 code units; longer lines are skipped (<see cref="Skipped"/>).</summary>
    public const int MaxWordLength = 128;

    public static readonly WordMatcher Empty = Build([]);

    private readonly int[] _root;
    private readonly int[] _edgeStart;
    private readonly char[] _edgeChar;
    private readonly int[] _edgeTarget;
    private readonly int[] _fail;
    private readonly int[] _matchLength;

    private WordMatcher(int[] root, int[] edgeStart, char[] edgeChar, int[] edgeTarget, int[] fail, int[] matchLength, int count, int skipped)
    {
        _root = root;
        _edgeStart = edgeStart;
        _edgeChar = edgeChar;
        _edgeTarget = edgeTarget;
        _fail = fail;
        _matchLength = matchLength;
        Count = count;
        Skipped = skipped;
    }

    /// <summary>Distinct words in the automaton.</summary>
    public int Count { get; }

    /// <summary>Lines longer than <see cref="MaxWordLength"/> that were left out.</summary>
    public int Skipped { get; }

    /// <summary>Builds the automaton; blank entries are ignored, entries are trimmed and folded.</summary>
    public static WordMatcher Build(IEnumerable<string> words)
    {
        // The trie as per-state dictionaries while building.
        var children = new List<Dictionary<char, int>> { new() };
        var length = new List<int> { 0 };
        var terminal = new List<bool> { false };
        var count = 0;
        var skipped = 0;
        foreach (var raw in words)
        {
            var word = raw.Trim();
            if (word.Length == 0)
            {
                continue;
            }

            if (word.Length > MaxWordLength)
            {
                skipped++;
                continue;
            }

            var state = 0;
            foreach (var c in word)
            {
                var f = WordFolding.Fold(c);
                if (!children[state].TryGetValue(f, out var next))
                {
                    next = children.Count;
                    children[state][f] = next;
                    children.Add([]);
                    length.Add(length[state] + 1);
                    terminal.Add(false);
                }

                state = next;
            }

            if (!terminal[state])
            {
                terminal[state] = true;
                count++;
            }
        }

        var states = children.Count;
        var root = new int[char.MaxValue + 1];
        var edgeStart = new int[states + 1];
        var totalEdges = 0;
        for (var s = 0; s < states; s++)
        {
            edgeStart[s] = totalEdges;
            totalEdges += s == 0 ? 0 : children[s].Count;
        }

        edgeStart[states] = totalEdges;
        var edgeChar = new char[totalEdges];
        var edgeTarget = new int[totalEdges];
        for (var s = 1; s < states; s++)
        {
            var at = edgeStart[s];
            foreach (var (c, target) in children[s].OrderBy(p => p.Key))
            {
                edgeChar[at] = c;
                edgeTarget[at++] = target;
            }
        }

        foreach (var (c, target) in children[0])
        {
            root[c] = target;
        }

        // Failure links and the longest word ending at each state, breadth first.
        var fail = new int[states];
        var matchLength = new int[states];
        var queue = new Queue<int>();
        foreach (var target in children[0].Values)
        {
            matchLength[target] = terminal[target] ? length[target] : 0;
            queue.Enqueue(target);
        }

        var built = new WordMatcher(root, edgeStart, edgeChar, edgeTarget, fail, matchLength, count, skipped);
        while (queue.Count > 0)
        {
            var s = queue.Dequeue();
            foreach (var (c, target) in children[s])
            {
                fail[target] = built.Step(fail[s], c);
                matchLength[target] = terminal[target] ? length[target] : matchLength[fail[target]];
                queue.Enqueue(target);
            }
        }

        return built;
    }

    /// <summary>The state after <paramref name="state"/> reads the folded unit <paramref name="c"/>.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public int Step(int state, char c) => state == 0 ? _root[c] : StepFrom(state, c);

    private int StepFrom(int state, char c)
    {
        while (state != 0)
        {
            var lo = _edgeStart[state];
            var hi = _edgeStart[state + 1] - 1;
            while (lo <= hi)
            {
                var mid = (lo + hi) >> 1;
                var e = _edgeChar[mid];
                if (e == c)
                {
                    return _edgeTarget[mid];
                }

                if (e < c)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid - 1;
                }
            }

            state = _fail[state];
        }

        return _root[c];
    }

    /// <summary>Length in code units of the longest word ending at <paramref name="state"/> (0: none).</summary>
    public int MatchLength(int state) => _matchLength[state];

    /// <summary>Whether <paramref name="text"/> contains a word (plain text, for tests and tools).</summary>
    public bool Contains(ReadOnlySpan<char> text)
    {
        var state = 0;
        foreach (var c in text)
        {
            state = Step(state, WordFolding.Fold(c));
            if (_matchLength[state] != 0)
            {
                return true;
            }
        }

        return false;
    }
}
