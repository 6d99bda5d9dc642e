using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using PipeChat.LoadTest.Metrics;
using PipeChat.LoadTest.Options;
using PipeChat.LoadTest.Scenarios;

namespace PipeChat.LoadTest.Abuse;

/// <summary>
/// The misbehaving side of a run: slow readers (join a busy room, then never read again) and, in
/// soak, malformed clients and oversized messages, one of each kind per round. Every loop is bounded
/// by the run's cancellation and a count; every read by a timeout.
/// </summary>
internal sealed class AbuseDriver
{
    /// <summary>Kind → the answer the server must give.</summary>
    public static readonly IReadOnlyDictionary<string, string> Expected = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["bad_json"] = "text",
        ["unmasked"] = "close:1002",
        ["reserved_opcode"] = "close:1002",
        ["invalid_utf8"] = "close:1007",
        ["oversized_frame"] = "close:1009",
        ["too_large"] = "text",
    };

    private static readonly TimeSpan s_answerTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_drainTimeout = TimeSpan.FromSeconds(3);
    private const int MaxBatches = 1_000;
    private const int MaxRounds = 100_000;

    private readonly LoadTestOptions _options;
    private readonly RunCounters _counters;
    private readonly IPEndPoint _server;
    private readonly ProcessProbe? _probe;
    private readonly AbuseSummary _summary = new();
    private readonly object _lock = new();
    private readonly List<RawWsClient> _currentBatch = [];
    private long _started;

    public AbuseDriver(LoadTestOptions options, RunCounters counters, IPEndPoint server)
    {
        _options = options;
        _counters = counters;
        _server = server;
        if (options.ServerPid is int pid)
        {
            _probe = new ProcessProbe(pid);
            _probe.SampleCpuPercent();
        }
    }

    public AbuseSummary Summary => _summary;

    /// <summary>Before the run: the first batch of slow readers, joined to room 0.</summary>
    public async Task SetupAsync(CancellationToken cancellationToken)
    {
        _started = Stopwatch.GetTimestamp();
        _summary.RssStartBytes = ReadRss();
        _summary.RssPeakBytes = _summary.RssStartBytes;
        if (_options.SlowReaders > 0)
        {
            _currentBatch.AddRange(await OpenSlowReadersAsync(0, cancellationToken));
        }
    }

    /// <summary>During the run: new slow-reader batches (the previous one is checked and closed), malformed rounds, samples.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var tasks = new List<Task> { SampleLoopAsync(cancellationToken) };
        if (_options.Scenario == Scenario.Soak)
        {
            tasks.Add(MalformedLoopAsync(cancellationToken));
            if (_options.SlowReaders > 0)
            {
                tasks.Add(SlowReaderBatchesAsync(cancellationToken));
            }
        }

        await Task.WhenAll(tasks);
    }

    /// <summary>After the run and drain: checks and closes the last slow readers; final RSS.</summary>
    public async Task FinishAsync()
    {
        await CheckAndCloseAsync([.. _currentBatch]);
        _currentBatch.Clear();
        _summary.RssEndBytes = ReadRss();
        TrackPeak(_summary.RssEndBytes);
        _summary.Minutes.Add(Sample());
    }

    private long? ReadRss() => _probe?.ReadRssBytes() is long rss and >= 0 ? rss : null;

    private void TrackPeak(long? rss)
    {
        if (rss is long r && r > (_summary.RssPeakBytes ?? 0))
        {
            _summary.RssPeakBytes = r;
        }
    }

    private async Task<List<RawWsClient>> OpenSlowReadersAsync(int batch, CancellationToken cancellationToken)
    {
        var room = ChatWorkload.RoomId(_options, batch % Math.Max(_options.Rooms, 1));
        var join = Encoding.UTF8.GetBytes($"{{\"type\":\"join\",\"data\":{{\"roomid\":\"{room}\"}}}}");
        var opened = new List<RawWsClient>(_options.SlowReaders);
        using var gate = new SemaphoreSlim(64);
        await Task.WhenAll(Enumerable.Range(0, _options.SlowReaders).Select(async i =>
        {
            await gate.WaitAsync(cancellationToken);
            RawWsClient? client = null;
            try
            {
                var id = string.Create(CultureInfo.InvariantCulture, $"{_options.IdPrefix}s{batch}x{i}");
                client = await RawWsClient.ConnectAsync(_server, _options.Url, id, _options.SlowReaderBufferBytes, cancellationToken);
                await client.SendFrameAsync(0x81, join);
                if (await client.ReadUntilAsync(s_answerTimeout, "\"joined\""u8.ToArray()) != "text")
                {
                    throw new IOException("slow reader did not join");
                }

                lock (opened)
                {
                    opened.Add(client);
                }

                lock (_lock)
                {
                    _summary.SlowReadersOpened++;
                }
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException)
            {
                client?.Dispose();
                lock (_lock)
                {
                    _summary.SlowReadersFailed++;
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        return opened;
    }

    /// <summary>Reads each slow reader's backlog (bounded) to see whether the server ended it, then closes it.</summary>
    private async Task CheckAndCloseAsync(List<RawWsClient> batch)
    {
        using var gate = new SemaphoreSlim(1_024); // each check may wait its full timeout: keep them parallel
        await Task.WhenAll(batch.Select(async client =>
        {
            await gate.WaitAsync();
            try
            {
                var outcome = await client.ReadUntilAsync(s_drainTimeout);
                outcome = outcome == "timeout" ? "open" : outcome;
                lock (_lock)
                {
                    _summary.SlowReaderOutcomes[outcome] = _summary.SlowReaderOutcomes.GetValueOrDefault(outcome) + 1;
                    if (outcome == "open")
                    {
                        _summary.SlowReadersStillOpen++;
                    }
                    else
                    {
                        _summary.SlowReadersClosedByServer++;
                    }
                }
            }
            finally
            {
                client.Dispose();
                gate.Release();
            }
        }));
    }

    private async Task SlowReaderBatchesAsync(CancellationToken cancellationToken)
    {
        for (var batch = 1; batch < MaxBatches; batch++)
        {
            try
            {
                await Task.Delay(_options.SlowReaderInterval, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var previous = _currentBatch.ToList();
            _currentBatch.Clear();
            await CheckAndCloseAsync(previous);
            try
            {
                _currentBatch.AddRange(await OpenSlowReadersAsync(batch, cancellationToken));
            }
            catch (OperationCanceledException)
            {
                return;
            }

        }
    }

    private async Task MalformedLoopAsync(CancellationToken cancellationToken)
    {
        for (var round = 0; round < MaxRounds && !cancellationToken.IsCancellationRequested; round++)
        {
            await Task.WhenAll(Expected.Keys.Select(kind => MalformedOneAsync(kind, round)));
            try
            {
                await Task.Delay(_options.AbuseInterval, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task MalformedOneAsync(string kind, int round)
    {
        lock (_lock)
        {
            _summary.Attempts[kind] = _summary.Attempts.GetValueOrDefault(kind) + 1;
        }

        string outcome;
        try
        {
            var id = string.Create(CultureInfo.InvariantCulture, $"{_options.IdPrefix}m{round}{kind}");
            using var client = await RawWsClient.ConnectAsync(_server, _options.Url, id, 0, CancellationToken.None).WaitAsync(_options.ConnectTimeout);
            outcome = await MisbehaveAsync(client, kind);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException)
        {
            outcome = "connect_failed";
        }

        lock (_lock)
        {
            var key = kind + " " + outcome;
            _summary.Outcomes[key] = _summary.Outcomes.GetValueOrDefault(key) + 1;
            if (outcome == Expected[kind])
            {
                _summary.AsExpected[kind] = _summary.AsExpected.GetValueOrDefault(kind) + 1;
            }
        }
    }

    private async Task<string> MisbehaveAsync(RawWsClient client, string kind)
    {
        switch (kind)
        {
            case "bad_json":
                await client.SendFrameAsync(0x81, "{\"type\":\"room\",\"data\":{"u8.ToArray());
                return await ExpectErrorAsync(client, "bad_json");
            case "unmasked":
                await client.SendFrameAsync(0x81, "{\"type\":\"ping\"}"u8.ToArray(), masked: false);
                return await client.ReadUntilAsync(s_answerTimeout);
            case "reserved_opcode":
                await client.SendFrameAsync(0x83, "x"u8.ToArray());
                return await client.ReadUntilAsync(s_answerTimeout);
            case "invalid_utf8":
                await client.SendFrameAsync(0x81, new byte[] { (byte)'"', 0xC3, 0x28, (byte)'"' });
                return await client.ReadUntilAsync(s_answerTimeout);
            case "oversized_frame":
            {
                // Declare one byte over the frame limit; send a first chunk and wait: the server should refuse at the header.
                var declared = _options.ServerMaxMessageBytes + 1;
                var chunk = new byte[(int)Math.Min(1024, declared)];
                await client.SendFrameAsync(0x81, chunk, masked: true, declaredLength: declared);
                var answer = await client.ReadUntilAsync(TimeSpan.FromSeconds(2));
                if (answer != "timeout")
                {
                    return answer;
                }

                // Not refused at the header: send the rest (bounded by the declared size) and wait again.
                var rest = new byte[64 * 1024];
                for (var sent = (long)chunk.Length; sent < declared; sent += rest.Length)
                {
                    await client.SendRawAsync(rest.AsMemory(0, (int)Math.Min(rest.Length, declared - sent)));
                }

                return await client.ReadUntilAsync(s_answerTimeout);
            }

            case "too_large":
            {
                var padding = new string('x', (int)Math.Min(_options.ServerMaxChatPayloadBytes + 64, _options.ServerMaxMessageBytes - 128));
                var json = Encoding.UTF8.GetBytes($"{{\"type\":\"room\",\"data\":{{\"roomid\":\"{ChatWorkload.RoomId(_options, 0)}\",\"data\":{{\"p\":\"{padding}\"}}}}}}");
                await client.SendFrameAsync(0x81, json);
                return await ExpectErrorAsync(client, "too_large");
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    private static async Task<string> ExpectErrorAsync(RawWsClient client, string code)
    {
        var outcome = await client.ReadUntilAsync(s_answerTimeout, Encoding.UTF8.GetBytes($"\"code\":\"{code}\""));
        if (outcome == "text")
        {
            // A chat-layer error leaves the connection open: close it politely.
            await client.SendFrameAsync(0x88, new byte[] { 0x03, 0xE8 });
        }

        return outcome;
    }

    private async Task SampleLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.SampleInterval);
        try
        {
            for (var i = 0; i < 100_000 && await timer.WaitForNextTickAsync(cancellationToken); i++)
            {
                var sample = Sample();
                lock (_lock)
                {
                    _summary.Minutes.Add(sample);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private SoakSample Sample()
    {
        var c = CounterSnapshot.Of(_counters);
        var rss = ReadRss();
        TrackPeak(rss);
        var cpu = _probe?.SampleCpuPercent();
        lock (_lock)
        {
            return new SoakSample
            {
                Seconds = Math.Round(Stopwatch.GetElapsedTime(_started).TotalSeconds, 1),
                ServerRssMiB = rss is long r ? Math.Round(r / 1048576.0, 1) : null,
                ServerCpuPercent = cpu is double v && !double.IsNaN(v) ? Math.Round(v, 1) : null,
                Sent = c.Sent,
                Delivered = c.Delivered,
                InFlight = Math.Max(0, c.Expected - (c.Delivered - c.Duplicated)),
                OutOfOrder = c.OutOfOrder,
                Duplicated = c.Duplicated,
                SeqGaps = c.SeqGaps,
                ChurnConnected = c.ChurnConnected,
                SlowReadersOpened = _summary.SlowReadersOpened,
                SlowReadersClosedByServer = _summary.SlowReadersClosedByServer,
                AbuseAttempts = _summary.Attempts.Values.Sum(),
                Outcomes = new Dictionary<string, long>(_summary.Outcomes),
            };
        }
    }
}
