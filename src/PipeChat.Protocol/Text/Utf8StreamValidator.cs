using System.Text.Unicode;

namespace PipeChat.Protocol.Text;

/// <summary>
/// Incremental UTF-8 validation carried across chunks (fragments and buffer segments).
/// Fails as soon as the bytes seen so far cannot start any valid sequence.
/// </summary>
public struct Utf8StreamValidator
{
    // Up to 3 bytes of an incomplete sequence, byte 0 in the low bits.
    private uint _pending;
    private int _pendingLength;

    /// <summary>Validates the next chunk; <paramref name="isFinal"/> also rejects an incomplete trailing sequence.</summary>
    public bool TryAppend(ReadOnlySpan<byte> chunk, bool isFinal)
    {
        if (_pendingLength != 0 && !TryCompletePending(ref chunk))
        {
            return false;
        }

        if (!chunk.IsEmpty)
        {
            // Everything but a possibly incomplete trailing sequence goes through the BCL's
            // vectorized validator; the tail is kept and checked as a prefix.
            var tailStart = FindIncompleteTail(chunk);
            if (!Utf8.IsValid(chunk[..tailStart]))
            {
                return false;
            }

            var tail = chunk[tailStart..];
            if (!IsValidPrefix(tail))
            {
                return false;
            }

            for (var i = 0; i < tail.Length; i++)
            {
                _pending |= (uint)tail[i] << (8 * i);
            }

            _pendingLength = tail.Length;
        }

        return !isFinal || _pendingLength == 0;
    }

    /// <summary>Forgets any pending partial sequence.</summary>
    public void Reset()
    {
        _pending = 0;
        _pendingLength = 0;
    }

    /// <summary>Feeds bytes into the pending sequence until it is complete or the chunk ends.</summary>
    private bool TryCompletePending(ref ReadOnlySpan<byte> chunk)
    {
        Span<byte> sequence = stackalloc byte[4];
        for (var i = 0; i < _pendingLength; i++)
        {
            sequence[i] = (byte)(_pending >> (8 * i));
        }

        var length = _pendingLength;
        var needed = SequenceLength(sequence[0]);
        var taken = 0;
        while (length < needed && taken < chunk.Length)
        {
            sequence[length++] = chunk[taken++];
            if (!IsValidPrefix(sequence[..length]))
            {
                return false;
            }
        }

        chunk = chunk[taken..];
        if (length == needed)
        {
            _pending = 0;
            _pendingLength = 0;
        }
        else
        {
            _pending = 0;
            for (var i = 0; i < length; i++)
            {
                _pending |= (uint)sequence[i] << (8 * i);
            }

            _pendingLength = length;
        }

        return true;
    }

    /// <summary>Start of a trailing multi-byte sequence that the chunk cut short, or the chunk length.</summary>
    private static int FindIncompleteTail(ReadOnlySpan<byte> chunk)
    {
        for (var k = 1; k <= 3 && k <= chunk.Length; k++)
        {
            var b = chunk[^k];
            if ((b & 0xC0) != 0x80)
            {
                return SequenceLength(b) > k ? chunk.Length - k : chunk.Length;
            }
        }

        return chunk.Length;
    }

    /// <summary>The length a lead byte announces (invalid leads report 1 or 4 and fail later).</summary>
    private static int SequenceLength(byte lead) => lead switch
    {
        < 0xC0 => 1,
        < 0xE0 => 2,
        < 0xF0 => 3,
        _ => 4,
    };

    /// <summary>
    /// Whether 1–4 bytes are a valid start of one multi-byte sequence (RFC 3629 §4): no overlongs
    /// (C0, C1, E0 80–9F, F0 80–8F), no surrogates (ED A0–BF), nothing above U+10FFFF (F4 90+, F5+).
    /// </summary>
    private static bool IsValidPrefix(ReadOnlySpan<byte> sequence)
    {
        if (sequence.IsEmpty)
        {
            return true;
        }

        var lead = sequence[0];
        if (lead is < 0xC2 or > 0xF4 || sequence.Length > SequenceLength(lead))
        {
            return false;
        }

        if (sequence.Length >= 2)
        {
            var second = sequence[1];
            var (low, high) = lead switch
            {
                0xE0 => (0xA0, 0xBF),
                0xED => (0x80, 0x9F),
                0xF0 => (0x90, 0xBF),
                0xF4 => (0x80, 0x8F),
                _ => (0x80, 0xBF),
            };
            if (second < low || second > high)
            {
                return false;
            }
        }

        for (var i = 2; i < sequence.Length; i++)
        {
            if ((sequence[i] & 0xC0) != 0x80)
            {
                return false;
            }
        }

        return true;
    }
}
