using System.Globalization;
using HdrHistogram;
using PipeChat.LoadTest.Metrics;
using PipeChat.LoadTest.Options;

namespace PipeChat.LoadTest.Hosting;

/// <summary>
/// Merges the per-second samples of one or more processes (cumulative counters are summed; interval
/// histograms added), samples the server from /proc, prints the live progress line, and turns the
/// processes' totals into a <see cref="LoadTestResult"/>.
/// </summary>
internal sealed class ResultBuilder
{
    private readonly LoadTestOptions _options;
    private readonly int _sources;
    private readonly TextWriter? _progress;
    private readonly ProcessProbe? _probe;
    private List<ProcessProbe> _clients = [new ProcessProbe(Environment.ProcessId)];
    private readonly SortedDictionary<int, List<RawSample>> _pending = [];
    private readonly CounterSnapshot?[] _lastBySource;
    private readonly List<Sample> _samples = [];
    private readonly object _lock = new();
    private CounterSnapshot _previous = new();
    private double _previousSeconds;
    private int _next;

    public ResultBuilder(LoadTestOptions options, int sources, TextWriter? progress)
    {
        _options = options;
        _sources = sources;
        _progress = progress;
        _lastBySource = new CounterSnapshot?[sources];
        if (options.ServerPid is int pid)
        {
            _probe = new ProcessProbe(pid);
            RssBaseline = _probe.ReadRssBytes();
            _probe.SampleCpuPercent();
        }

        Started = DateTime.UtcNow;
    }

    public DateTime Started { get; }

    public long? RssBaseline { get; }

    public long? RssAfterSetup { get; private set; }

    /// <summary>The load processes whose CPU is reported (default: this one).</summary>
    public void SetClientPids(IEnumerable<int> pids)
    {
        _clients = [.. pids.Select(pid => new ProcessProbe(pid))];
        foreach (var probe in _clients)
        {
            probe.SampleCpuPercent();
        }
    }

    /// <summary>Connections are up and joined; the run is about to start.</summary>
    public void MarkSetupDone() => RssAfterSetup = _probe?.ReadRssBytes();

    public void Add(RawSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        lock (_lock)
        {
            if (!_pending.TryGetValue(sample.Index, out var list))
            {
                _pending[sample.Index] = list = [];
            }

            list.Add(sample);
            while (_pending.TryGetValue(_next, out var ready) && ready.Count == _sources)
            {
                Emit(ready);
                _pending.Remove(_next++);
            }
        }
    }

    public LoadTestResult Complete(IReadOnlyList<RawResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        lock (_lock)
        {
            foreach (var (index, list) in _pending)
            {
                Emit(list);
            }

            _pending.Clear();
        }

        var latency = RunCounters.NewHistogram();
        var connect = RunCounters.NewHistogram();
        var errors = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var r in results)
        {
            latency.Add(r.Latency);
            connect.Add(r.Connect);
            foreach (var (kind, count) in r.Errors)
            {
                errors[kind] = errors.GetValueOrDefault(kind) + count;
            }
        }

        var counters = CounterSnapshot.Sum(results.Select(r => r.Counters));
        var runSeconds = results.Count == 0 ? 0 : results.Max(r => r.RunSeconds);
        var connectSeconds = results.Count == 0 ? 0 : results.Max(r => r.ConnectSeconds);
        var sentInRun = results.Sum(r => r.AtRunEnd.Sent - r.AtRunStart.Sent);
        var deliveredInRun = results.Sum(r => r.AtRunEnd.Delivered - r.AtRunStart.Delivered);
        var runSamples = _samples.Where(s => s.Phase == "run").ToList();
        long? rssEnd = runSamples.Count > 0 && runSamples[^1].ServerRssMiB is double end ? (long)(end * 1048576) : null;
        long? growth = null;
        if (runSamples.Count >= 4 && rssEnd is long e && runSamples[runSamples.Count / 4].ServerRssMiB is double quarter)
        {
            growth = e - (long)(quarter * 1048576);
        }

        var result = new LoadTestResult
        {
            Scenario = _options.Scenario.ToString().ToLowerInvariant(),
            Target = _options.Target,
            Url = _options.Url.ToString(),
            Settings = Describe(_options),
            StartedUtc = Started,
            Processes = _sources,
            Machine = MachineDescription(),
            Counters = counters,
            Errors = errors,
            Lost = counters.Lost,
            ConnectSeconds = connectSeconds,
            SetupSeconds = results.Count == 0 ? 0 : results.Max(r => r.SetupSeconds),
            RunSeconds = runSeconds,
            DrainSeconds = results.Count == 0 ? 0 : results.Max(r => r.DrainSeconds),
            SentInRun = sentInRun,
            DeliveredInRun = deliveredInRun,
            SentPerSecond = runSeconds > 0 ? sentInRun / runSeconds : 0,
            DeliveredPerSecond = runSeconds > 0 ? deliveredInRun / runSeconds : 0,
            ConnectsPerSecond = connectSeconds > 0 ? counters.Established / connectSeconds : 0,
            Latency = LatencySummary.Of(latency),
            ConnectLatency = LatencySummary.Of(connect),
            ServerRssBaselineBytes = RssBaseline,
            ServerRssAfterSetupBytes = RssAfterSetup,
            ServerRssEndOfRunBytes = rssEnd,
            ServerRssPeakBytes = _samples.Any(s => s.ServerRssMiB.HasValue) ? (long)(_samples.Max(s => s.ServerRssMiB ?? 0) * 1048576) : null,
            ServerRssGrowthInRunBytes = growth,
            ServerCpuPercentInRun = runSamples.Any(s => s.ServerCpuPercent.HasValue) ? runSamples.Where(s => s.ServerCpuPercent.HasValue).Average(s => s.ServerCpuPercent!.Value) : null,
            ClientCpuPercentInRun = runSamples.Any(s => s.ClientCpuPercent.HasValue) ? runSamples.Where(s => s.ClientCpuPercent.HasValue).Average(s => s.ClientCpuPercent!.Value) : null,
            Samples = _samples,
            Abuse = results.Count == 1 ? results[0].Abuse : null,
        };
        if (_options.Scenario == Scenario.Connect && RssBaseline is long baseline && (rssEnd ?? RssAfterSetup) is long held && counters.Established > 0)
        {
            result.ServerRssPerConnectionBytes = (double)(held - baseline) / counters.Established;

            // Marginal cost: from the first progress sample with a few connections open to the end,
            // which leaves out one-time growth (code pages touched, pools, thread stacks).
            var established = counters.Established;
            var mark = _samples.FirstOrDefault(s => s.ServerRssMiB.HasValue && s.Open >= Math.Max(500, established / 20));
            if (mark is not null && established - mark.Open >= established / 4)
            {
                result.ServerRssMarkConnections = mark.Open;
                result.ServerRssPerConnectionMarginalBytes = (held - (mark.ServerRssMiB!.Value * 1048576)) / (established - mark.Open);
            }
        }

        return result;
    }

    private void Emit(List<RawSample> parts)
    {
        foreach (var part in parts)
        {
            _lastBySource[part.Source] = part.Counters;
        }

        var counters = CounterSnapshot.Sum(_lastBySource.Where(c => c is not null)!);
        HistogramBase latency = RunCounters.NewHistogram();
        long connects = 0;
        foreach (var part in parts)
        {
            if (part.Latency is not null)
            {
                latency.Add(part.Latency);
            }

            connects += part.Connect?.TotalCount ?? 0;
        }

        var seconds = parts.Max(p => p.Elapsed);
        var dt = Math.Max(seconds - _previousSeconds, 1e-3);
        var sample = new Sample
        {
            Seconds = Math.Round(seconds, 2),
            Phase = parts.Select(p => p.Phase).OrderBy(PhaseOrder).First(),
            Open = counters.Open,
            SentPerSecond = (counters.Sent - _previous.Sent) / dt,
            DeliveredPerSecond = (counters.Delivered - _previous.Delivered) / dt,
            ConnectsPerSecond = connects / dt,
            Errors = counters.Errors,
            InFlight = Math.Max(0, counters.Expected - (counters.Delivered - counters.Duplicated)),
            LatencyCount = latency.TotalCount,
        };
        if (latency.TotalCount > 0)
        {
            var summary = LatencySummary.Of(latency);
            (sample.P50, sample.P90, sample.P99, sample.P999, sample.Max) = (summary.P50, summary.P90, summary.P99, summary.P999, summary.Max);
        }

        if (_probe is not null)
        {
            var rss = _probe.ReadRssBytes();
            sample.ServerRssMiB = rss >= 0 ? rss / 1048576.0 : null;
            var cpu = _probe.SampleCpuPercent();
            sample.ServerCpuPercent = double.IsNaN(cpu) ? null : cpu;
        }

        var clientCpu = _clients.Select(p => p.SampleCpuPercent()).Where(v => !double.IsNaN(v)).ToList();
        sample.ClientCpuPercent = clientCpu.Count > 0 ? clientCpu.Sum() : null;
        _samples.Add(sample);
        _previous = counters;
        _previousSeconds = seconds;
        _progress?.WriteLine(ProgressLine(sample, counters));
    }

    private static string MachineDescription()
    {
        var cpus = Environment.ProcessorCount;
        var model = "";
        try
        {
            var info = File.ReadAllLines("/proc/cpuinfo");
            cpus = info.Count(l => l.StartsWith("processor", StringComparison.Ordinal));
            model = info.FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "";
        }
        catch (IOException)
        {
        }

        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return string.Create(CultureInfo.InvariantCulture,
            $"{cpus} CPUs ({model}), load tool may use {Environment.ProcessorCount}; {memory:0} GiB; {Environment.OSVersion}; .NET {Environment.Version}");
    }

    private static int PhaseOrder(string phase) => phase switch
    {
        "connect" => 0,
        "join" => 1,
        "warmup" => 2,
        "run" => 3,
        "drain" => 4,
        "check" => 5,
        _ => 5,
    };

    private static string ProgressLine(Sample s, CounterSnapshot c)
    {
        var inv = CultureInfo.InvariantCulture;
        var line = string.Create(inv,
            $"[{s.Seconds,6:0.0}s {s.Phase,-7}] open {s.Open,7:N0}  sent {s.SentPerSecond,10:N0}/s  delivered {s.DeliveredPerSecond,11:N0}/s  " +
            $"p50 {Ms(s.P50)} p99 {Ms(s.P99)} max {Ms(s.Max)}  in-flight {s.InFlight:N0}  conn-fail {c.ConnectFailed:N0}  errors {s.Errors:N0}");
        if (s.ServerRssMiB is double rss)
        {
            line += string.Create(inv, $"  server {rss:0} MiB {s.ServerCpuPercent ?? 0:0}% cpu");
        }

        if (s.ClientCpuPercent is double client)
        {
            line += string.Create(inv, $"  client {client:0}% cpu");
        }

        return line;
    }

    private static string Ms(double? value) => value is double v ? v.ToString(v < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + "ms" : "-";

    public static string Describe(LoadTestOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var inv = CultureInfo.InvariantCulture;
        var layout = o.Scenario switch
        {
            Scenario.Connect => string.Create(inv, $"connections={o.Connections} connect-rate={(o.ConnectRate > 0 ? o.ConnectRate.ToString(inv) : "max")} concurrency={o.ConnectConcurrency}"),
            Scenario.Private => string.Create(inv, $"pairs={o.Connections / 2}"),
            Scenario.Echo => string.Create(inv, $"connections={o.Connections}"),
            _ => string.Create(inv, $"rooms={o.Rooms} members={o.Members} senders/room={o.Senders}"),
        };
        var load = o.Scenario == Scenario.Connect
            ? ""
            : string.Create(inv, $" rate={(o.Rate > 0 ? o.Rate.ToString(inv) + "/s" : "open-loop")} window={o.Window} payload={o.PayloadBytes}B");
        var abuse = o.HasAbuse ? string.Create(inv, $" slow-readers={o.SlowReaders}") : "";
        abuse += o.Scenario == Scenario.Soak ? string.Create(inv, $" slow-reader-interval={o.SlowReaderInterval.TotalSeconds}s abuse-interval={o.AbuseInterval.TotalSeconds}s max-message={o.ServerMaxMessageBytes}B max-chat={o.ServerMaxChatPayloadBytes}B") : "";
        var churn = o.Scenario is Scenario.Churn or Scenario.Soak ? string.Create(inv, $" churn={o.ChurnRate}/s hold={o.ChurnHold.TotalMilliseconds}ms") : "";
        var protocol = o.Protocol == ServerProtocol.Chat ? "" : " protocol=" + o.Protocol.ToString().ToLowerInvariant();
        return string.Create(inv, $"{layout}{load}{churn}{abuse}{protocol} warmup={o.Warmup.TotalSeconds}s duration={o.Duration.TotalSeconds}s processes={o.Processes}");
    }
}
