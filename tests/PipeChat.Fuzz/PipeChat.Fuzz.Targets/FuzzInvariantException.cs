namespace PipeChat.Fuzz;

/// <summary>A fuzz target's invariant did not hold: AFL records the input as a crash.</summary>
public sealed class FuzzInvariantException(string message) : Exception(message)
{
    /// <summary>Throws when <paramref name="condition"/> is false.</summary>
    public static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new FuzzInvariantException(message);
        }
    }
}
