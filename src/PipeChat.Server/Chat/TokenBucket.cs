namespace PipeChat.Server.Chat;

/// <summary>
/// Per-connection request rate limit: a bucket of <c>burst</c> tokens refilled at <c>rate</c>
/// per second. Touched only by the connection's own read loop.
/// </summary>
internal struct TokenBucket(double ratePerSecond, int burst)
{
    private double _tokens = burst;
    private long _last = Environment.TickCount64;

    /// <summary>Requests refused in a row (reset by an accepted one).</summary>
    public int Refusals { get; private set; }

    /// <summary>Takes a token if one is there.</summary>
    public bool TryTake(long now)
    {
        if (ratePerSecond <= 0)
        {
            return true;
        }

        _tokens = Math.Min(burst, _tokens + ((now - _last) * ratePerSecond / 1000.0));
        _last = now;
        if (_tokens >= 1)
        {
            _tokens -= 1;
            Refusals = 0;
            return true;
        }

        Refusals++;
        return false;
    }
}
