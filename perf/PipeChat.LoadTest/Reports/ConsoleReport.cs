using PipeChat.LoadTest.Metrics;

namespace PipeChat.LoadTest.Reports;

/// <summary>The final table on the console.</summary>
internal static class ConsoleReport
{
    public static void Write(TextWriter output, LoadTestResult result)
    {
        var rows = SummaryRows.Of(result);
        var w1 = Math.Max(rows.Max(r => r.Metric.Length), 10) + 2;
        var w2 = Math.Max(rows.Max(r => r.Value.Length), 10) + 2;
        var rule = "+" + new string('-', 14) + "+" + new string('-', w1) + "+" + new string('-', w2) + "+";
        output.WriteLine();
        output.WriteLine($"PipeChat.LoadTest  {result.Scenario} -> {result.Target} ({result.Url})");
        output.WriteLine($"  {result.Settings}");
        output.WriteLine(rule);
        var section = "";
        foreach (var (s, metric, value) in rows)
        {
            if (s != section && section.Length > 0)
            {
                output.WriteLine(rule);
            }

            output.WriteLine($"| {(s == section ? "" : s),-12} | {metric.PadRight(w1 - 2)} | {value.PadLeft(w2 - 2)} |");
            section = s;
        }

        output.WriteLine(rule);
        if (result.ReportFolder is not null)
        {
            output.WriteLine($"report: {Path.Combine(result.ReportFolder, "report.html")}");
        }
    }
}
