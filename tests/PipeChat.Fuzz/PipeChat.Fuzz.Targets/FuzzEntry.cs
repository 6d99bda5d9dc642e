namespace PipeChat.Fuzz;

/// <summary>A fuzz target: consumes one input and throws when an invariant breaks.</summary>
public delegate void FuzzEntry(ReadOnlySpan<byte> input);
