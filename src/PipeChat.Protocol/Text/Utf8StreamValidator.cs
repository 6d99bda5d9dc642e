namespace PipeChat.Protocol.Text;

/// <summary>
/// Incremental UTF-8 validation carried across chunks (fragments and buffer segments).
/// Fails as soon as the bytes seen so far cannot start any valid sequence.
/// </summary>
public struct Utf8StreamValidator
{
    /// <summary>Validates the next chunk; <paramref name="isFinal"/> also rejects an incomplete trailing sequence.</summary>
    public bool TryAppend(ReadOnlySpan<byte> chunk, bool isFinal) => throw new NotImplementedException();

    /// <summary>Forgets any pending partial sequence.</summary>
    public void Reset() => throw new NotImplementedException();
}
