using System.Globalization;
using System.Text;
using System.Text.Json;
using PipeChat.LoadTest.Metrics;

namespace PipeChat.LoadTest.Reports;

/// <summary>Writes reports/&lt;scenario&gt;-&lt;timestamp&gt;/: report.md, report.html (self-contained, inline SVG), summary.json, samples.csv.</summary>
internal static class ReportWriter
{
    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static string Write(string root, LoadTestResult result)
    {
        var stamp = result.StartedUtc.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var folder = Path.Combine(root, $"{result.Scenario}-{result.Target}-{stamp}");
        for (var n = 2; Directory.Exists(folder); n++)
        {
            folder = Path.Combine(root, $"{result.Scenario}-{result.Target}-{stamp}-{n}");
        }

        Directory.CreateDirectory(folder);
        result.ReportFolder = Path.GetFullPath(folder);
        File.WriteAllText(Path.Combine(folder, "summary.json"), JsonSerializer.Serialize(result, Json));
        File.WriteAllText(Path.Combine(folder, "samples.csv"), Csv(result));
        File.WriteAllText(Path.Combine(folder, "report.md"), Markdown(result));
        File.WriteAllText(Path.Combine(folder, "report.html"), Html(result));
        return result.ReportFolder;
    }

    private static string Csv(LoadTestResult r)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("seconds,phase,open,sent_per_s,delivered_per_s,connects_per_s,in_flight,errors,p50_ms,p90_ms,p99_ms,p999_ms,max_ms,server_rss_mib,server_cpu_pct,client_cpu_pct\n");
        foreach (var s in r.Samples)
        {
            sb.AppendLine(string.Create(inv,
                $"{s.Seconds},{s.Phase},{s.Open},{s.SentPerSecond:0},{s.DeliveredPerSecond:0},{s.ConnectsPerSecond:0},{s.InFlight},{s.Errors},{s.P50},{s.P90},{s.P99},{s.P999},{s.Max},{s.ServerRssMiB:0.0},{s.ServerCpuPercent:0},{s.ClientCpuPercent:0}"));
        }

        return sb.ToString();
    }

    private static string Markdown(LoadTestResult r)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"# Load test: {r.Scenario} → {r.Target}");
        sb.AppendLine();
        sb.AppendLine(inv, $"- target: `{r.Url}`, started {r.StartedUtc:u}, {r.Processes} process(es)");
        sb.AppendLine(inv, $"- settings: `{r.Settings}`");
        sb.AppendLine(inv, $"- machine: {r.Machine}");
        sb.AppendLine(inv, $"- phases: connect {r.ConnectSeconds:0.00} s, setup {r.SetupSeconds:0.00} s, run {r.RunSeconds:0.00} s, drain {r.DrainSeconds:0.00} s");
        sb.AppendLine();
        sb.AppendLine("| section | metric | value |");
        sb.AppendLine("|---|---|---:|");
        foreach (var (section, metric, value) in SummaryRows.Of(r))
        {
            sb.AppendLine(inv, $"| {section} | {metric} | {value} |");
        }

        sb.AppendLine();
        sb.AppendLine("## Per second");
        sb.AppendLine();
        sb.AppendLine("| t (s) | phase | open | sent/s | delivered/s | p50 ms | p99 ms | max ms | server MiB | server CPU % |");
        sb.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var s in r.Samples)
        {
            sb.AppendLine(inv, $"| {s.Seconds:0.0} | {s.Phase} | {s.Open:N0} | {s.SentPerSecond:N0} | {s.DeliveredPerSecond:N0} | {s.P50:0.###} | {s.P99:0.###} | {s.Max:0.###} | {s.ServerRssMiB:0.0} | {s.ServerCpuPercent:0} |");
        }

        if (r.Abuse is { Minutes.Count: > 0 } abuse)
        {
            sb.AppendLine();
            sb.AppendLine("## Soak samples");
            sb.AppendLine();
            sb.AppendLine("| t (s) | server MiB | server CPU % | sent | delivered | in flight | out of order | dup | seq gaps | churn | slow readers opened / closed by server | abuse attempts | outcomes |");
            sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
            foreach (var m in abuse.Minutes)
            {
                sb.AppendLine(inv, $"| {m.Seconds:0} | {m.ServerRssMiB:0.0} | {m.ServerCpuPercent:0} | {m.Sent:N0} | {m.Delivered:N0} | {m.InFlight:N0} | {m.OutOfOrder} | {m.Duplicated} | {m.SeqGaps} | {m.ChurnConnected:N0} | {m.SlowReadersOpened:N0} / {m.SlowReadersClosedByServer:N0} | {m.AbuseAttempts:N0} | {Outcomes(m.Outcomes)} |");
            }
        }

        sb.AppendLine();
        sb.AppendLine("Charts: report.html (same folder). Raw: summary.json, samples.csv.");
        return sb.ToString();
    }

    private static string Outcomes(Dictionary<string, long> outcomes)
        => string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Key} ×{o.Value}")));

    private static string Html(LoadTestResult r)
    {
        var inv = CultureInfo.InvariantCulture;
        var seconds = r.Samples.Select(s => s.Seconds).ToArray();
        var phases = r.Samples.Select(s => s.Phase).ToArray();
        double?[] Of(Func<Sample, double?> f) => r.Samples.Select(f).ToArray();
        var charts = new List<string>();
        if (r.Scenario != "connect")
        {
            charts.Add(SvgChart.Render("Delivered messages per second", "messages / s", seconds, phases,
                [new ChartSeries("delivered/s", "#1f77b4", Of(s => s.DeliveredPerSecond))]));
            charts.Add(SvgChart.Render("Sent messages per second", "messages / s", seconds, phases,
                [new ChartSeries("sent/s", "#ff7f0e", Of(s => s.SentPerSecond))]));
            charts.Add(SvgChart.Render("Latency percentiles (log scale)", "ms", seconds, phases,
            [
                new ChartSeries("p50", "#2ca02c", Of(s => s.P50)),
                new ChartSeries("p90", "#1f77b4", Of(s => s.P90)),
                new ChartSeries("p99", "#ff7f0e", Of(s => s.P99)),
                new ChartSeries("p99.9", "#d62728", Of(s => s.P999)),
                new ChartSeries("max", "#7f7f7f", Of(s => s.Max)),
            ], logScale: true));
        }

        charts.Add(SvgChart.Render("Connections", "count / rate", seconds, phases,
        [
            new ChartSeries("open", "#9467bd", Of(s => s.Open)),
            new ChartSeries("connects/s", "#17becf", Of(s => s.ConnectsPerSecond)),
        ]));
        if (r.Samples.Any(s => s.ServerRssMiB.HasValue))
        {
            charts.Add(SvgChart.Render("Server memory", "RSS MiB", seconds, phases, [new ChartSeries("RSS MiB", "#8c564b", Of(s => s.ServerRssMiB))]));
        }

        if (r.Abuse is { Minutes.Count: > 1 } soak && soak.Minutes.Any(m => m.ServerRssMiB.HasValue))
        {
            var at = soak.Minutes.Select(m => m.Seconds).ToArray();
            var run = soak.Minutes.Select(_ => "run").ToArray();
            charts.Add(SvgChart.Render("Server RSS over the soak (per sample)", "RSS MiB", at, run,
                [new ChartSeries("RSS MiB", "#8c564b", soak.Minutes.Select(m => m.ServerRssMiB).ToArray())]));
        }

        charts.Add(SvgChart.Render("CPU", "% of one core", seconds, phases,
        [
            new ChartSeries("server", "#e377c2", Of(s => s.ServerCpuPercent)),
            new ChartSeries("load tool", "#bcbd22", Of(s => s.ClientCpuPercent)),
        ]));

        var cards = new List<(string Label, string Value)>();
        if (r.Scenario == "connect")
        {
            cards.Add(("established", r.Counters.Established.ToString("N0", inv)));
            cards.Add(("connects/s", r.ConnectsPerSecond.ToString("N0", inv)));
            if (r.ServerRssPerConnectionBytes is double per)
            {
                cards.Add(("server RSS / connection", (per / 1024).ToString("0.00", inv) + " KiB"));
            }

            if (r.ServerRssPerConnectionMarginalBytes is double marginal)
            {
                cards.Add(("marginal RSS / connection", (marginal / 1024).ToString("0.00", inv) + " KiB"));
            }
        }
        else
        {
            cards.Add(("delivered msgs/s", r.DeliveredPerSecond.ToString("N0", inv)));
            cards.Add(("p99 latency", r.Latency.P99.ToString("0.00", inv) + " ms"));
            cards.Add(("lost", r.Lost.ToString("N0", inv)));
            cards.Add(("out of order", r.Counters.OutOfOrder.ToString("N0", inv)));
        }

        cards.Add(("errors", r.Counters.Errors.ToString("N0", inv)));
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">");
        sb.Append(inv, $"<title>{SvgChart.Escape(r.Scenario)} → {SvgChart.Escape(r.Target)} · PipeChat load test</title><style>");
        sb.Append("body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:24px auto;max-width:960px;color:#222;padding:0 12px}");
        sb.Append("h1{font-size:22px;margin:0 0 4px}.sub{color:#666;margin-bottom:16px}.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}");
        sb.Append(".card{border:1px solid #ddd;border-radius:8px;padding:10px 16px;min-width:140px}.card b{display:block;font-size:24px}.card span{color:#666;font-size:12px}");
        sb.Append("table{border-collapse:collapse;width:100%;margin:12px 0}td,th{border-bottom:1px solid #eee;padding:4px 8px;text-align:left}td.v{text-align:right;font-variant-numeric:tabular-nums}");
        sb.Append("th{background:#fafafa}.ct{font-size:14px;font-weight:600;fill:#222}.ax{font-size:11px;fill:#666}.lg{font-size:12px;fill:#333}.grid{stroke:#e5e5e5}.frame{fill:none;stroke:#ccc}");
        sb.Append(".legend span{display:inline-block;padding:1px 8px;margin-right:6px;border:1px solid #ddd;font-size:12px}figure{margin:18px 0}</style></head><body>");
        sb.Append(inv, $"<h1>{SvgChart.Escape(r.Scenario)} → {SvgChart.Escape(r.Target)}</h1>");
        sb.Append(inv, $"<div class=\"sub\">{SvgChart.Escape(r.Url)} · started {r.StartedUtc:u} · {r.Processes} process(es)<br><code>{SvgChart.Escape(r.Settings)}</code><br>{SvgChart.Escape(r.Machine)}</div>");
        sb.Append("<div class=\"cards\">");
        foreach (var (label, value) in cards)
        {
            sb.Append(inv, $"<div class=\"card\"><b>{SvgChart.Escape(value)}</b><span>{SvgChart.Escape(label)}</span></div>");
        }

        sb.Append("</div><div class=\"legend\">phases: <span style=\"background:#eef4ff\">connect</span><span style=\"background:#f3eefc\">join</span><span style=\"background:#eefaf0\">warmup</span><span>run</span><span style=\"background:#fff7e6\">drain</span><span style=\"background:#f4f4f4\">close</span></div>");
        foreach (var chart in charts)
        {
            sb.Append("<figure>").Append(chart).Append("</figure>");
        }

        sb.Append("<h2>Summary</h2><table><tr><th>section</th><th>metric</th><th>value</th></tr>");
        foreach (var (section, metric, value) in SummaryRows.Of(r))
        {
            sb.Append(inv, $"<tr><td>{SvgChart.Escape(section)}</td><td>{SvgChart.Escape(metric)}</td><td class=\"v\">{SvgChart.Escape(value)}</td></tr>");
        }

        sb.Append("</table><h2>Per second</h2><table><tr><th>t (s)</th><th>phase</th><th>open</th><th>sent/s</th><th>delivered/s</th><th>p50 ms</th><th>p99 ms</th><th>max ms</th><th>server MiB</th><th>CPU %</th></tr>");
        foreach (var s in r.Samples)
        {
            sb.Append(inv, $"<tr><td class=\"v\">{s.Seconds:0.0}</td><td>{s.Phase}</td><td class=\"v\">{s.Open:N0}</td><td class=\"v\">{s.SentPerSecond:N0}</td><td class=\"v\">{s.DeliveredPerSecond:N0}</td><td class=\"v\">{s.P50:0.###}</td><td class=\"v\">{s.P99:0.###}</td><td class=\"v\">{s.Max:0.###}</td><td class=\"v\">{s.ServerRssMiB:0.0}</td><td class=\"v\">{s.ServerCpuPercent:0}</td></tr>");
        }

        sb.Append("</table><p class=\"sub\">Generated by perf/PipeChat.LoadTest. Latency: Stopwatch timestamp in each payload, HdrHistogram (µs, 3 significant digits).</p></body></html>");
        return sb.ToString();
    }
}
