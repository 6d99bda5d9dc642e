namespace PipeChat.LoadTest.Client;

/// <summary>
/// What one receiver has seen of one sender's sequence numbers: the highest, plus a 64-bit window
/// below it, so a repeat is told from a late (out-of-order) arrival without any allocation.
/// </summary>
internal struct SenderSequence
{
    private long _highest;
    private ulong _window;

    /// <summary>Records sequence <paramref name="n"/> (1, 2, …).</summary>
    public SequenceObservation Observe(long n)
    {
        if (n > _highest)
        {
            var shift = n - _highest;
            _window = shift >= 64 ? 0 : _window << (int)shift;
            _window |= 1;
            _highest = n;
            return SequenceObservation.InOrder;
        }

        var distance = _highest - n;
        if (distance >= 64)
        {
            return SequenceObservation.Late;
        }

        var bit = 1UL << (int)distance;
        if ((_window & bit) != 0)
        {
            return SequenceObservation.Duplicate;
        }

        _window |= bit;
        return SequenceObservation.Late;
    }
}

internal enum SequenceObservation
{
    InOrder,
    Late,
    Duplicate,
}
