using HdrHistogram;

namespace PipeChat.LoadTest.Metrics;

/// <summary>Percentiles of a latency histogram, in milliseconds.</summary>
public sealed class LatencySummary
{
    public long Count { get; set; }
    public double Mean { get; set; }
    public double P50 { get; set; }
    public double P90 { get; set; }
    public double P99 { get; set; }
    public double P999 { get; set; }
    public double Max { get; set; }

    public static LatencySummary Of(HistogramBase h)
    {
        ArgumentNullException.ThrowIfNull(h);
        if (h.TotalCount == 0)
        {
            return new LatencySummary();
        }

        static double Ms(long micros) => micros / 1000.0;
        return new LatencySummary
        {
            Count = h.TotalCount,
            Mean = h.GetMean() / 1000.0,
            P50 = Ms(h.GetValueAtPercentile(50)),
            P90 = Ms(h.GetValueAtPercentile(90)),
            P99 = Ms(h.GetValueAtPercentile(99)),
            P999 = Ms(h.GetValueAtPercentile(99.9)),
            Max = Ms(h.GetMaxValue()),
        };
    }
}
