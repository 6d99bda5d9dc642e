using HdrHistogram;

namespace PipeChat.LoadTest.Metrics;

/// <summary>Histograms as text (HdrHistogram's log format, base64) so child processes can hand them to the parent.</summary>
public static class HistogramCodec
{
    public static string Encode(HistogramBase histogram)
    {
        using var stream = new MemoryStream();
        using (var writer = new HistogramLogWriter(stream))
        {
            writer.Write(DateTime.UnixEpoch, histogram);
        }

        return Convert.ToBase64String(stream.ToArray());
    }

    public static HistogramBase Decode(string text)
    {
        using var stream = new MemoryStream(Convert.FromBase64String(text));
        using var reader = new HistogramLogReader(stream);
        var total = RunCounters.NewHistogram();
        foreach (var histogram in reader.ReadHistograms())
        {
            total.Add(histogram);
        }

        return total;
    }
}
