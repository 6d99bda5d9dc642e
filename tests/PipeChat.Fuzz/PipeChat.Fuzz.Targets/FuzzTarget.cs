namespace PipeChat.Fuzz;

/// <summary>A named target, its corpus folder under tests/fuzz-corpus, and tokens the mutator splices in.</summary>
public sealed record FuzzTarget(string Name, FuzzEntry Run, IReadOnlyList<byte[]> Dictionary);
