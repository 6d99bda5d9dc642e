using PipeChat.Server.Chat;
using PipeChat.Server.Diagnostics;

namespace PipeChat.Server.Http.Admin;

/// <summary>
/// The admin dashboard's charts: every <see cref="Interval"/> this node's connections, users,
/// rooms, messages in and out per second and slow-consumer closes per minute, kept for the last
/// <see cref="Window"/> so a dashboard opened now shows the recent past at once.
/// </summary>
internal sealed class AdminSeries : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    private readonly ServerMetrics _metrics;
    private readonly ChatApplication _chat;
    private readonly Sample[] _ring = new Sample[(int)(Window / Interval)];
    private readonly Lock _lock = new();
    private readonly Timer _timer;
    private (long Ticks, long In, long Out, long Slow) _last;
    private int _count;
    private int _next;

    public AdminSeries(ServerMetrics metrics, ChatApplication chat)
    {
        _metrics = metrics;
        _chat = chat;
        _last = (Environment.TickCount64, metrics.MessagesIn, metrics.MessagesOut, metrics.SlowConsumers);
        _timer = new Timer(static s => ((AdminSeries)s!).Take(), this, Interval, Interval);
    }

    /// <summary>One point of the charts.</summary>
    public readonly record struct Sample(long UnixMs, long Connections, int Users, int Rooms, double InPerSecond, double OutPerSecond, double SlowPerMinute);

    /// <summary>The samples kept, oldest first.</summary>
    public Sample[] Snapshot()
    {
        lock (_lock)
        {
            var samples = new Sample[_count];
            var start = _count < _ring.Length ? 0 : _next;
            for (var i = 0; i < _count; i++)
            {
                samples[i] = _ring[(start + i) % _ring.Length];
            }

            return samples;
        }
    }

    public void Dispose() => _timer.Dispose();

    /// <summary>Records one sample now (the timer's work; tests call it to avoid waiting).</summary>
    internal void Take()
    {
        var now = (Ticks: Environment.TickCount64, In: _metrics.MessagesIn, Out: _metrics.MessagesOut, Slow: _metrics.SlowConsumers);
        var (_, users, rooms) = _chat.LocalCounts;
        lock (_lock)
        {
            var seconds = Math.Max((now.Ticks - _last.Ticks) / 1000.0, 0.001);
            _ring[_next] = new Sample(
                DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                _metrics.ConnectionsOpen,
                users,
                rooms,
                Math.Round((now.In - _last.In) / seconds, 1),
                Math.Round((now.Out - _last.Out) / seconds, 1),
                Math.Round((now.Slow - _last.Slow) * 60 / seconds, 1));
            _last = now;
            _next = (_next + 1) % _ring.Length;
            _count = Math.Min(_count + 1, _ring.Length);
        }
    }
}
