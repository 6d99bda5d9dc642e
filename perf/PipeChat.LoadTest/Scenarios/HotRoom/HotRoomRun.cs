using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using PipeChat.LoadTest.Metrics;

namespace PipeChat.LoadTest.Scenarios.HotRoom;

/// <summary>
/// Runs the hot-room scenario (<see cref="HotRoomOptions"/>) against a running server and prints one
/// result row: deliveries per second, server CPU and RSS over time, and per priority the delivered
/// fraction and p50/p99 latency (full-speed and throttled readers apart), members closed, skipped
/// runs. Each member is a ClientWebSocket reading in its own loop; a throttled one waits between
/// reads so that it takes at most --throttled-rate messages a second (its socket buffers fill, as
/// a phone's would on a slow link).
/// </summary>
internal static class HotRoomRun
{
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(3);

    public static async Task<int> MainAsync(string[] args)
    {
        if (!HotRoomOptions.TryParse(args, out var options, out var error))
        {
            await Console.Error.WriteLineAsync(error);
            return error == HotRoomOptions.Usage ? 0 : 2;
        }

        await RunAsync(options, Console.Out);
        return 0;
    }

    /// <summary>One run; the result row goes to <paramref name="output"/>; the counts are returned (tests).</summary>
    public static async Task<HotRoomStats> RunAsync(HotRoomOptions options, TextWriter output)
    {
        using var stop = new CancellationTokenSource();
        var stats = new HotRoomStats();
        var members = new Member[options.Members];
        var throttledFrom = options.Members - options.ThrottledReaders;
        await GrantHostAsync(options);

        var joined = 0;
        using (var gate = new SemaphoreSlim(options.ConnectConcurrency))
        {
            await Task.WhenAll(Enumerable.Range(0, options.Members).Select(async i =>
            {
                await gate.WaitAsync();
                try
                {
                    members[i] = await Member.ConnectAsync(options, i, throttled: i >= throttledFrom);
                    members[i].Start(stats, stop.Token, () => Interlocked.Increment(ref joined));
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        var deadline = Stopwatch.StartNew();
        while (Volatile.Read(ref joined) < options.Members && deadline.Elapsed < TimeSpan.FromSeconds(120))
        {
            await Task.Delay(100);
        }

        output.WriteLine($"hot-room: {Volatile.Read(ref joined)} of {options.Members} members joined {options.Room}");
        var probe = options.ServerPid is { } pid ? new ProcessProbe(pid) : null;
        var senders = new List<Task>
        {
            SendLoopAsync(members[1..(1 + options.LowSenders)], 0, options.SenderRate, options, stats, stop.Token),
            SendLoopAsync(members[(1 + options.LowSenders)..(1 + options.LowSenders + options.NormalSenders)], 1, options.SenderRate, options, stats, stop.Token),
            SendLoopAsync(members[..1], 2, options.HostRate, options, stats, stop.Token),
        };

        await Task.Delay(options.Warmup);
        stats.CountFrom = Stopwatch.GetTimestamp();
        var cpuStart = probe?.ReadCpuTicks() ?? -1;
        var rss = new List<long>();
        var measured = Stopwatch.StartNew();
        while (measured.Elapsed < options.Duration)
        {
            await Task.Delay(1000);
            if (probe is not null)
            {
                rss.Add(probe.ReadRssBytes());
            }
        }

        var seconds = measured.Elapsed.TotalSeconds;
        var cpuEnd = probe?.ReadCpuTicks() ?? -1;
        var countUntil = Stopwatch.GetTimestamp();
        await stop.CancelAsync();
        await Task.WhenAll(senders);
        await Task.Delay(Drain);
        foreach (var member in members)
        {
            member.Abort();
        }

        Report(output, options, stats, seconds, cpuStart, cpuEnd, rss);
        return stats;
    }

    private static async Task GrantHostAsync(HotRoomOptions options)
    {
        using var http = new HttpClient { BaseAddress = options.Api, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
        var body = new StringContent($"{{\"roomid\":\"{options.Room}\",\"id\":\"hr-0\"}}", Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/api/room-host", body);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Sends <paramref name="rate"/> messages a second from each sender, spread evenly, until stopped.</summary>
    private static async Task SendLoopAsync(Member[] senders, int priority, double rate, HotRoomOptions options, HotRoomStats stats, CancellationToken stop)
    {
        if (senders.Length == 0)
        {
            return;
        }

        var name = priority switch { 0 => "low", 1 => "normal", _ => "high" };
        var perSecond = senders.Length * rate;
        var clock = Stopwatch.StartNew();
        long sent = 0;
        var next = 0;
        while (!stop.IsCancellationRequested)
        {
            var due = (long)(clock.Elapsed.TotalSeconds * perSecond);
            while (sent < due && !stop.IsCancellationRequested)
            {
                var member = senders[next];
                next = (next + 1) % senders.Length;
                sent++;
                var at = Stopwatch.GetTimestamp();
                if (await member.TrySendAsync($"{{\"type\":\"room\",\"data\":{{\"roomid\":\"{options.Room}\",\"priority\":\"{name}\",\"data\":{{\"t\":{at}}}}}}}"))
                {
                    stats.Sent(priority, at);
                }
            }

            try
            {
                await Task.Delay(10, stop);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private static void Report(TextWriter output, HotRoomOptions options, HotRoomStats stats, double seconds, long cpuStart, long cpuEnd, List<long> rss)
    {
        long delivered = 0;
        for (var p = 0; p < 3; p++)
        {
            delivered += stats.ReceivedCount(p, 0) + stats.ReceivedCount(p, 1);
        }

        var cpu = cpuStart >= 0 && cpuEnd >= 0 ? (cpuEnd - cpuStart) / 100.0 / seconds * 100 : double.NaN;
        string Mib(long b) => (b / 1048576.0).ToString("0", CultureInfo.InvariantCulture);
        var rssText = rss.Count == 0 ? "—" : $"{Mib(rss[0])} → {Mib(rss[rss.Count / 2])} → {Mib(rss[^1])} (max {Mib(rss.Max())})";
        string Fraction(int p)
        {
            var expected = stats.SentCount(p) * (double)options.Members;
            return expected == 0 ? "—" : ((stats.ReceivedCount(p, 0) + stats.ReceivedCount(p, 1)) / expected * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %";
        }

        string Latency(int p) => $"{Ms(stats.Percentile(p, 0, 0.5))}/{Ms(stats.Percentile(p, 0, 0.99))} · {Ms(stats.Percentile(p, 1, 0.5))}/{Ms(stats.Percentile(p, 1, 0.99))}";

        output.WriteLine($"hot-room {options.Label}: {options.Members} members, {seconds:0} s measured; sent high {stats.SentCount(2)}, normal {stats.SentCount(1)}, low {stats.SentCount(0)}");
        output.WriteLine("| run | deliveries/s | server CPU | server RSS MiB (start → mid → end) | delivered high / normal / low | high p50/p99 ms (full · throttled) | normal p50/p99 ms | low p50/p99 ms | members closed | skipped runs (msgs) |");
        output.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {options.Label} | {delivered / seconds:0} | {cpu:0} % | {rssText} | {Fraction(2)} / {Fraction(1)} / {Fraction(0)} | {Latency(2)} | {Latency(1)} | {Latency(0)} | {stats.ClosedCount} | {stats.SkippedEvents} ({stats.SkippedMessages}) |"));
    }

    private static string Ms(long ms) => ms < 0 ? "—" : ms >= HotRoomStats.MaxLatencyMs ? ">120000" : ms.ToString(CultureInfo.InvariantCulture);

    /// <summary>One member: its socket and its read loop.</summary>
    private sealed class Member(ClientWebSocket socket, bool throttled, double throttledRate)
    {
        private readonly SemaphoreSlim _sending = new(1);
        private Task? _loop;

        public static async Task<Member> ConnectAsync(HotRoomOptions options, int index, bool throttled)
        {
            var socket = new ClientWebSocket();
            socket.Options.KeepAliveInterval = TimeSpan.Zero;
            await socket.ConnectAsync(new Uri(options.Url, "hr-" + index.ToString(CultureInfo.InvariantCulture)), CancellationToken.None);
            var member = new Member(socket, throttled, options.ThrottledRate);
            await member.TrySendAsync($"{{\"type\":\"join\",\"data\":{{\"roomid\":\"{options.Room}\"}}}}");
            return member;
        }

        public void Start(HotRoomStats stats, CancellationToken stop, Action joined) => _loop = ReadLoopAsync(stats, stop, joined);

        public async Task<bool> TrySendAsync(string json)
        {
            if (socket.State != WebSocketState.Open || !_sending.Wait(0))
            {
                return false;
            }

            try
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);
                return true;
            }
            catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or InvalidOperationException)
            {
                return false;
            }
            finally
            {
                _sending.Release();
            }
        }

        public void Abort() => socket.Abort();

        private async Task ReadLoopAsync(HotRoomStats stats, CancellationToken stop, Action joined)
        {
            await Task.Yield();
            var buffer = new byte[16 * 1024];
            var interval = (long)(Stopwatch.Frequency / throttledRate);
            var nextRead = Stopwatch.GetTimestamp();
            try
            {
                while (true)
                {
                    if (throttled)
                    {
                        var wait = nextRead - Stopwatch.GetTimestamp();
                        if (wait > 0)
                        {
                            await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
                        }

                        nextRead = Math.Max(nextRead, Stopwatch.GetTimestamp() - (Stopwatch.Frequency / 10)) + interval;
                    }

                    var length = 0;
                    ValueWebSocketReceiveResult result;
                    do
                    {
                        result = await socket.ReceiveAsync(buffer.AsMemory(Math.Min(length, buffer.Length - 1)), CancellationToken.None);
                        length = Math.Min(length + result.Count, buffer.Length);
                    }
                    while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        if (!stop.IsCancellationRequested)
                        {
                            stats.Closed();
                        }

                        return;
                    }

                    Handle(buffer.AsSpan(0, length), stats, joined);
                }
            }
            catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
            {
                if (!stop.IsCancellationRequested)
                {
                    stats.Closed();
                }
            }
        }

        private void Handle(ReadOnlySpan<byte> message, HotRoomStats stats, Action joined)
        {
            var now = Stopwatch.GetTimestamp();
            if (message.StartsWith("{\"type\":\"room\""u8))
            {
                var at = message.IndexOf("\"data\":{\"t\":"u8);
                if (at >= 0 && Utf8Parser.TryParse(message[(at + 12)..], out long sentAt, out _))
                {
                    var priority = message.IndexOf(",\"priority\":\"high\""u8) >= 0 ? 2 : message.IndexOf(",\"priority\":\"low\""u8) >= 0 ? 0 : 1;
                    stats.Received(priority, throttled, sentAt, now);
                }
            }
            else if (message.StartsWith("{\"type\":\"skipped\""u8))
            {
                var at = message.IndexOf("\"count\":"u8);
                if (at >= 0 && Utf8Parser.TryParse(message[(at + 8)..], out long count, out _))
                {
                    stats.Skipped(count);
                }
            }
            else if (message.StartsWith("{\"type\":\"counter\""u8))
            {
                stats.Counter();
            }
            else if (message.StartsWith("{\"type\":\"joined\""u8))
            {
                joined();
            }
        }
    }
}
