namespace PipeChat.Protocol.Framing;

/// <summary>Vectorized, resumable XOR masking (RFC 6455 §5.3).</summary>
public static class WebSocketMask
{
    /// <summary>Masks or unmasks <paramref name="data"/> in place, starting at key offset <paramref name="maskIndex"/> (0–3).</summary>
    /// <returns>The key offset for the byte after <paramref name="data"/>.</returns>
    public static int Apply(Span<byte> data, uint maskKey, int maskIndex) => throw new NotImplementedException();

    /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/> while masking; same return as <see cref="Apply"/>.</summary>
    public static int ApplyTo(ReadOnlySpan<byte> source, Span<byte> destination, uint maskKey, int maskIndex) => throw new NotImplementedException();
}
