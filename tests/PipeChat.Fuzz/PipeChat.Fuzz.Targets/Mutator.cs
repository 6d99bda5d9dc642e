namespace PipeChat.Fuzz;

/// <summary>
/// Deterministic, coverage-less mutation: bit flips, interesting bytes, inserts, deletes,
/// duplicated ranges, dictionary tokens and splices of two corpus entries. Used by the CI smoke
/// test and by the fallback loop when AFL++ cannot run; the same seed gives the same inputs.
/// </summary>
public sealed class Mutator(int seed, IReadOnlyList<byte[]> corpus, IReadOnlyList<byte[]> dictionary, int maxLength = 4096)
{
    private static readonly byte[] s_interesting = [0x00, 0x01, 0x7E, 0x7F, 0x80, 0x81, 0x88, 0x89, 0x8A, 0xC0, 0xED, 0xF4, 0xFE, 0xFF, (byte)'\r', (byte)'\n', (byte)'"', (byte)'\\'];

    private readonly Random _random = new(seed);

    /// <summary>A corpus entry with 1 to 8 mutations stacked on it.</summary>
    public byte[] Next()
    {
        var data = new List<byte>(corpus.Count == 0 ? [] : corpus[_random.Next(corpus.Count)]);
        var count = 1 + _random.Next(8);
        for (var i = 0; i < count; i++)
        {
            Mutate(data);
        }

        return data.Count > maxLength ? [.. data.GetRange(0, maxLength)] : [.. data];
    }

    private void Mutate(List<byte> data)
    {
        switch (_random.Next(data.Count == 0 ? 2 : 8))
        {
            case 0:
                data.InsertRange(Position(data, inclusiveEnd: true), dictionary.Count == 0 ? [0] : dictionary[_random.Next(dictionary.Count)]);
                break;
            case 1:
                var random = new byte[1 + _random.Next(8)];
                _random.NextBytes(random);
                data.InsertRange(Position(data, inclusiveEnd: true), random);
                break;
            case 2:
                data[Position(data)] ^= (byte)(1 << _random.Next(8));
                break;
            case 3:
                data[Position(data)] = s_interesting[_random.Next(s_interesting.Length)];
                break;
            case 4:
                var start = Position(data);
                data.RemoveRange(start, 1 + _random.Next(Math.Min(16, data.Count - start)));
                break;
            case 5:
                var from = Position(data);
                var range = data.GetRange(from, 1 + _random.Next(Math.Min(32, data.Count - from)));
                data.InsertRange(Position(data, inclusiveEnd: true), range);
                break;
            case 6:
                if (corpus.Count > 0)
                {
                    var other = corpus[_random.Next(corpus.Count)];
                    var cut = Position(data);
                    data.RemoveRange(cut, data.Count - cut);
                    data.AddRange(other.AsSpan(_random.Next(other.Length + 1)));
                }

                break;
            default:
                var at = Position(data);
                data[at] = (byte)(data[at] + _random.Next(-4, 5));
                break;
        }
    }

    private int Position(List<byte> data, bool inclusiveEnd = false) => _random.Next(data.Count + (inclusiveEnd ? 1 : 0));
}
