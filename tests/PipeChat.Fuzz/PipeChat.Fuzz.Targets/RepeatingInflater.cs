using PipeChat.Protocol.Framing;

namespace PipeChat.Fuzz;

/// <summary>
/// A deterministic stand-in for a DEFLATE decompressor, for the reader's compressed-message path
/// (the real zlib one lives in the server): each input byte comes out <see cref="Factor"/> times,
/// 0x00 and 0xFF (the 00 00 ff ff tail the reader appends) come out as nothing, and
/// <see cref="FailOn"/> is "not valid DEFLATE". Output that does not fit stays pending and no
/// more input is taken while the output is full, as with zlib. Used by the fuzz target and by the protocol tests.
/// </summary>
public sealed class RepeatingInflater : IMessageInflater
{
    private byte _pendingByte;
    private long _pendingCount;

    public int Factor { get; init; } = 1;

    public byte? FailOn { get; init; }

    public long TotalWritten { get; private set; }

    public int ResetCount { get; private set; }

    public bool Inflate(ReadOnlySpan<byte> input, Span<byte> output, out int consumed, out int written)
    {
        consumed = written = 0;
        while (true)
        {
            while (_pendingCount > 0 && written < output.Length)
            {
                output[written++] = _pendingByte;
                _pendingCount--;
            }

            // Like zlib, stop taking input once the output is full.
            if (_pendingCount > 0 || consumed == input.Length || written == output.Length)
            {
                TotalWritten += written;
                return true;
            }

            var b = input[consumed++];
            if (b == FailOn)
            {
                return false;
            }

            if (b is not (0x00 or 0xFF))
            {
                _pendingByte = b;
                _pendingCount = Factor;
            }
        }
    }

    public void Reset()
    {
        _pendingCount = 0;
        ResetCount++;
    }
}
