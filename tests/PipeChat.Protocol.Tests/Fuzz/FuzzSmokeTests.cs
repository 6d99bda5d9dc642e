using PipeChat.Fuzz;

namespace PipeChat.Protocol.Tests.Fuzz;

/// <summary>
/// Keeps the fuzz targets (tests/PipeChat.Fuzz) building and honest without AFL: each target's
/// entry runs over its seed corpus and over a fixed set of deterministic mutations of it. A
/// failure here is a real invariant break: replay it with scripts/fuzz.sh's --replay mode.
/// </summary>
public sealed class FuzzSmokeTests
{
    private const int MutationsPerTarget = 3000;
    private const int MinimumSeeds = 12;

    public static TheoryData<string> Targets => [.. FuzzTargets.All.Select(target => target.Name)];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Seed_corpus_has_a_dozen_inputs_and_each_holds_the_invariants(string name)
    {
        var target = FuzzTargets.Find(name)!;
        var corpus = Corpus.Load(Corpus.FindRoot(AppContext.BaseDirectory), name);

        Assert.True(corpus.Count >= MinimumSeeds, $"{name} has {corpus.Count} seeds");
        foreach (var (file, bytes) in corpus)
        {
            var exception = Record.Exception(() => target.Run(bytes));
            Assert.True(exception is null, $"{name}/{file}: {exception}");
        }
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Deterministic_mutations_of_the_corpus_hold_the_invariants(string name)
    {
        var target = FuzzTargets.Find(name)!;
        var corpus = Corpus.Load(Corpus.FindRoot(AppContext.BaseDirectory), name).Select(entry => entry.Bytes).ToList();
        var mutator = new Mutator(seed: 6455, corpus, target.Dictionary, maxLength: 1024);

        for (var i = 0; i < MutationsPerTarget; i++)
        {
            var input = mutator.Next();
            var exception = Record.Exception(() => target.Run(input));
            Assert.True(exception is null, $"{name} mutation {i}: {Convert.ToHexString(input)}\n{exception}");
        }
    }

    [Fact]
    public void Harness_sink_reports_an_advance_past_what_it_offered()
    {
        var sink = new ChunkedBufferWriter(chunk: 3);
        Assert.Equal(3, sink.GetSpan().Length);

        Assert.Throws<FuzzInvariantException>(() => sink.Advance(4));
    }

    [Fact]
    public void Input_pieces_cover_the_input_exactly_for_every_split_seed()
    {
        for (var seed = 0; seed < 256; seed++)
        {
            var lengths = InputPieces.Lengths(100, (byte)seed);

            Assert.Equal(100, lengths.Sum());
            Assert.All(lengths, length => Assert.InRange(length, 1, 100));
        }
    }
}
