using System.Globalization;
using PipeChat.LoadTest.Metrics;

namespace PipeChat.LoadTest.Reports;

/// <summary>The result as (section, metric, value) rows: one source for the console table, report.md and report.html.</summary>
internal static class SummaryRows
{
    public static List<(string Section, string Metric, string Value)> Of(LoadTestResult r)
    {
        var inv = CultureInfo.InvariantCulture;
        var c = r.Counters;
        string N(double v) => v.ToString("N0", inv);
        string Ms(double v) => v.ToString(v < 10 ? "0.000" : "0.0", inv) + " ms";
        string Mib(long? bytes) => bytes is long b ? (b / 1048576.0).ToString("0.0", inv) + " MiB" : "-";
        var rows = new List<(string, string, string)>
        {
            ("connections", "established / failed", $"{N(c.Established)} / {N(c.ConnectFailed)}"),
            ("connections", "connect rate", $"{N(r.ConnectsPerSecond)}/s over {r.ConnectSeconds.ToString("0.00", inv)} s"),
            ("connections", "dropped by server", N(c.DroppedByServer)),
        };
        if (r.ConnectLatency.Count > 0)
        {
            rows.Add(("connections", "connect+upgrade latency p50 / p99 / max", $"{Ms(r.ConnectLatency.P50)} / {Ms(r.ConnectLatency.P99)} / {Ms(r.ConnectLatency.Max)}"));
        }

        if (c.ChurnConnected + c.ChurnFailed > 0)
        {
            rows.Add(("connections", "churn connected / failed", $"{N(c.ChurnConnected)} / {N(c.ChurnFailed)}"));
        }

        if (r.Scenario != "connect")
        {
            rows.Add(("messages", "sent / expected deliveries", $"{N(c.Sent)} / {N(c.Expected)}"));
            rows.Add(("messages", "delivered", N(c.Delivered)));
            rows.Add(("messages", "lost / duplicated / out of order", $"{N(r.Lost)} / {N(c.Duplicated)} / {N(c.OutOfOrder)}"));
            rows.Add(("messages", "room seq gaps", N(c.SeqGaps)));
            rows.Add(("messages", "presence events / other", $"{N(c.Presence)} / {N(c.OtherMessages)}"));
            rows.Add(("throughput", "delivered msgs/s (run)", N(r.DeliveredPerSecond)));
            rows.Add(("throughput", "sent msgs/s (run)", N(r.SentPerSecond)));
            if (c.WindowStalls > 0)
            {
                rows.Add(("throughput", "sends skipped (window full)", N(c.WindowStalls)));
            }

            var l = r.Latency;
            rows.Add(("latency", "samples", N(l.Count)));
            rows.Add(("latency", "p50 / p90 / p99", $"{Ms(l.P50)} / {Ms(l.P90)} / {Ms(l.P99)}"));
            rows.Add(("latency", "p99.9 / max / mean", $"{Ms(l.P999)} / {Ms(l.Max)} / {Ms(l.Mean)}"));
        }

        if (r.ServerRssBaselineBytes is not null)
        {
            rows.Add(("server", "RSS baseline / after setup / end of run / peak",
                $"{Mib(r.ServerRssBaselineBytes)} / {Mib(r.ServerRssAfterSetupBytes)} / {Mib(r.ServerRssEndOfRunBytes)} / {Mib(r.ServerRssPeakBytes)}"));
            if (r.ServerRssPerConnectionBytes is double per)
            {
                rows.Add(("server", "RSS per connection (end of run − baseline)", (per / 1024).ToString("0.00", inv) + " KiB"));
            }

            if (r.ServerRssPerConnectionMarginalBytes is double marginal)
            {
                rows.Add(("server", $"RSS per connection, marginal (from {r.ServerRssMarkConnections:N0} open to the end)", (marginal / 1024).ToString("0.00", inv) + " KiB"));
            }

            if (r.ServerRssGrowthInRunBytes is long growth)
            {
                rows.Add(("server", "RSS growth from 25% of the run to its end", Mib(growth)));
            }

            if (r.ServerCpuPercentInRun is double cpu)
            {
                rows.Add(("server", "CPU during run (100% = one core)", cpu.ToString("0", inv) + " %"));
            }
        }

        if (r.ClientCpuPercentInRun is double clientCpu)
        {
            rows.Add(("load tool", "CPU during run (100% = one core)", clientCpu.ToString("0", inv) + " %"));
        }

        if (r.Abuse is { } a)
        {
            rows.Add(("abuse", "slow readers opened / failed to join", $"{N(a.SlowReadersOpened)} / {N(a.SlowReadersFailed)}"));
            rows.Add(("abuse", "slow readers closed by server / still open", $"{N(a.SlowReadersClosedByServer)} / {N(a.SlowReadersStillOpen)}"));
            foreach (var (outcome, count) in a.SlowReaderOutcomes.OrderBy(o => o.Key, StringComparer.Ordinal))
            {
                rows.Add(("abuse", "slow reader " + outcome, N(count)));
            }

            rows.Add(("abuse", "server RSS start / peak / end", $"{Mib(a.RssStartBytes)} / {Mib(a.RssPeakBytes)} / {Mib(a.RssEndBytes)}"));
            foreach (var (kind, attempts) in a.Attempts.OrderBy(o => o.Key, StringComparer.Ordinal))
            {
                rows.Add(("abuse", $"{kind}: as expected / attempts", $"{N(a.AsExpected.GetValueOrDefault(kind))} / {N(attempts)}"));
            }

            foreach (var (outcome, count) in a.Outcomes.OrderBy(o => o.Key, StringComparer.Ordinal))
            {
                rows.Add(("abuse", outcome, N(count)));
            }
        }

        rows.Add(("errors", "total", N(c.Errors)));
        foreach (var (kind, count) in r.Errors.OrderByDescending(e => e.Value))
        {
            rows.Add(("errors", kind, N(count)));
        }

        return rows;
    }
}
