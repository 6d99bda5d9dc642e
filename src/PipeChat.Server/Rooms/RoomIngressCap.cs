using PipeChat.Protocol.Chat;

namespace PipeChat.Server.Rooms;

/// <summary>
/// One room's ingress cap (<c>--room-max-rate</c>, or the room's own from the server API): a
/// token bucket refilled at the rate, with thresholds by priority. High is always admitted (it
/// takes a token when there is one); normal needs a token above the high reserve (share × rate);
/// low needs one above the reserve plus a cushion (a tenth of the rate, at least 1), so while the
/// room is over its rate low is dropped first, then normal. The bucket holds rate + reserve
/// tokens: a second's burst of low and normal, and the reserve that only high draws on.
/// Thread-safe (a short lock: only rooms with a cap pay it).
/// </summary>
internal sealed class RoomIngressCap
{
    private readonly Lock _lock = new();
    private double _rate;
    private double _reserve;
    private double _cushion;
    private double _capacity;
    private double _tokens;
    private long _lastMs;

    public RoomIngressCap(double rate, double highShare, long nowMs)
    {
        Configure(rate, highShare);
        _tokens = _capacity;
        _lastMs = nowMs;
    }

    /// <summary>Messages per second.</summary>
    public double Rate => Volatile.Read(ref _rate);

    /// <summary>Tokens now (tests, diagnostics).</summary>
    internal double Tokens
    {
        get
        {
            lock (_lock)
            {
                return _tokens;
            }
        }
    }

    /// <summary>When the bucket was last touched (for sweeping idle caps).</summary>
    public long LastMs => Volatile.Read(ref _lastMs);

    /// <summary>Whether the bucket is full (nothing to remember about the room).</summary>
    public bool IsFull(long nowMs)
    {
        lock (_lock)
        {
            Refill(nowMs);
            return _tokens >= _capacity;
        }
    }

    /// <summary>Changes the rate (the tokens held are kept, up to the new capacity).</summary>
    public void Configure(double rate, double highShare)
    {
        lock (_lock)
        {
            _rate = rate;
            _reserve = rate * highShare;
            _cushion = Math.Max(1, rate / 10);
            _capacity = rate + _reserve;
            _tokens = Math.Min(_tokens, _capacity);
        }
    }

    /// <summary>Whether a message of <paramref name="priority"/> may enter the room now (high: always).</summary>
    public bool TryAdmit(MessagePriority priority, long nowMs)
    {
        lock (_lock)
        {
            Refill(nowMs);
            var threshold = priority switch
            {
                MessagePriority.High => 0,
                MessagePriority.Normal => _reserve,
                _ => _reserve + _cushion,
            };
            if (_tokens - 1 >= threshold)
            {
                _tokens -= 1;
                return true;
            }

            if (priority == MessagePriority.High)
            {
                // Never dropped by the cap; it just finds the bucket empty.
                _tokens = Math.Max(0, _tokens - 1);
                return true;
            }

            return false;
        }
    }

    private void Refill(long nowMs)
    {
        var elapsed = nowMs - _lastMs;
        if (elapsed > 0)
        {
            _tokens = Math.Min(_capacity, _tokens + (elapsed * _rate / 1000.0));
            _lastMs = nowMs;
        }
    }
}
