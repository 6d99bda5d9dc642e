using PipeChat.Server.Diagnostics;

namespace PipeChat.Server.Http.Api;

/// <summary>Messages in and out per second over the last ten seconds, from the server's counters sampled once a second (for /api/stats).</summary>
internal sealed class MessageRates : IDisposable
{
    private const int Slots = 11;
    private readonly ServerMetrics _metrics;
    private readonly (long Ticks, long In, long Out)[] _samples = new (long, long, long)[Slots];
    private readonly Lock _lock = new();
    private readonly Timer _timer;
    private int _count;
    private int _next;

    public MessageRates(ServerMetrics metrics)
    {
        _metrics = metrics;
        Sample();
        _timer = new Timer(static s => ((MessageRates)s!).Sample(), this, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public (double In, double Out) PerSecond()
    {
        lock (_lock)
        {
            var now = (Environment.TickCount64, _metrics.MessagesIn, _metrics.MessagesOut);
            var oldest = _samples[_count < Slots ? 0 : _next];
            var seconds = (now.TickCount64 - oldest.Ticks) / 1000.0;
            return seconds <= 0 ? (0, 0) : ((now.MessagesIn - oldest.In) / seconds, (now.MessagesOut - oldest.Out) / seconds);
        }
    }

    public void Dispose() => _timer.Dispose();

    private void Sample()
    {
        lock (_lock)
        {
            _samples[_next] = (Environment.TickCount64, _metrics.MessagesIn, _metrics.MessagesOut);
            _next = (_next + 1) % Slots;
            _count = Math.Min(_count + 1, Slots);
        }
    }
}
