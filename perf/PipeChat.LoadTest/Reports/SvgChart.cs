using System.Globalization;
using System.Text;

namespace PipeChat.LoadTest.Reports;

/// <summary>A series to plot: a name, a colour and one value per sample (null = no data that second).</summary>
internal sealed record ChartSeries(string Name, string Color, double?[] Values);

/// <summary>Line charts as inline SVG: no script, no network, readable in any browser and in a mail client.</summary>
internal static class SvgChart
{
    private const int Width = 920;
    private const int Height = 280;
    private const int Left = 70;
    private const int Right = 20;
    private const int Top = 30;
    private const int Bottom = 40;

    private static readonly Dictionary<string, string> s_phaseColors = new(StringComparer.Ordinal)
    {
        ["connect"] = "#eef4ff",
        ["join"] = "#f3eefc",
        ["warmup"] = "#eefaf0",
        ["run"] = "#ffffff",
        ["drain"] = "#fff7e6",
        ["close"] = "#f4f4f4",
    };

    public static string Render(string title, string unit, double[] seconds, string[] phases, IReadOnlyList<ChartSeries> series, bool logScale = false)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $"<svg viewBox=\"0 0 {Width} {Height}\" width=\"100%\" role=\"img\" aria-label=\"{Escape(title)}\" xmlns=\"http://www.w3.org/2000/svg\">");
        sb.Append(inv, $"<text x=\"{Left}\" y=\"18\" class=\"ct\">{Escape(title)}</text>");
        var plotW = Width - Left - Right;
        var plotH = Height - Top - Bottom;
        var xMax = seconds.Length > 0 ? Math.Max(seconds[^1], 1) : 1;
        double X(double s) => Left + (s / xMax * plotW);

        // Phase bands.
        for (var i = 0; i < seconds.Length; i++)
        {
            var from = i == 0 ? 0 : seconds[i - 1];
            var color = s_phaseColors.GetValueOrDefault(phases[i], "#ffffff");
            sb.Append(inv, $"<rect x=\"{X(from):0.#}\" y=\"{Top}\" width=\"{Math.Max(X(seconds[i]) - X(from), 0.5):0.#}\" height=\"{plotH}\" fill=\"{color}\"><title>{phases[i]}</title></rect>");
        }

        var values = series.SelectMany(s => s.Values).Where(v => v.HasValue).Select(v => v!.Value).ToList();
        if (values.Count == 0)
        {
            sb.Append(inv, $"<text x=\"{Left + (plotW / 2)}\" y=\"{Top + (plotH / 2)}\" text-anchor=\"middle\" class=\"ax\">no data</text></svg>");
            return sb.ToString();
        }

        var yMaxRaw = values.Max();
        double yMin, yMax;
        Func<double, double> y;
        var ticks = new List<double>();
        if (logScale)
        {
            var positive = values.Where(v => v > 0).DefaultIfEmpty(0.001).ToList();
            yMin = Math.Pow(10, Math.Floor(Math.Log10(positive.Min())));
            yMax = Math.Pow(10, Math.Ceiling(Math.Log10(Math.Max(yMaxRaw, yMin * 10))));
            var lo = Math.Log10(yMin);
            var hi = Math.Log10(yMax);
            y = v => Top + plotH - ((Math.Log10(Math.Max(v, yMin)) - lo) / (hi - lo) * plotH);
            for (var t = yMin; t <= yMax * 1.0001; t *= 10)
            {
                ticks.Add(t);
            }
        }
        else
        {
            yMin = 0;
            var step = NiceStep(Math.Max(yMaxRaw, 1e-9) / 5);
            yMax = Math.Ceiling(Math.Max(yMaxRaw, step) / step) * step;
            y = v => Top + plotH - (v / yMax * plotH);
            for (var t = 0.0; t <= yMax * 1.0001; t += step)
            {
                ticks.Add(t);
            }
        }

        foreach (var t in ticks)
        {
            var ty = y(t);
            sb.Append(inv, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{ty:0.#}\" y2=\"{ty:0.#}\" class=\"grid\"/>");
            sb.Append(inv, $"<text x=\"{Left - 6}\" y=\"{ty + 4:0.#}\" text-anchor=\"end\" class=\"ax\">{Format(t)}</text>");
        }

        var xStep = NiceStep(xMax / 8);
        for (var t = 0.0; t <= xMax + 1e-9; t += xStep)
        {
            sb.Append(inv, $"<text x=\"{X(t):0.#}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\" class=\"ax\">{Format(t)}s</text>");
        }

        sb.Append(inv, $"<text x=\"14\" y=\"{Top + (plotH / 2)}\" transform=\"rotate(-90 14 {Top + (plotH / 2)})\" text-anchor=\"middle\" class=\"ax\">{Escape(unit)}</text>");
        sb.Append(inv, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotW}\" height=\"{plotH}\" class=\"frame\"/>");

        var legendX = Left + 8;
        foreach (var s in series)
        {
            var path = new StringBuilder();
            var pen = false;
            for (var i = 0; i < seconds.Length && i < s.Values.Length; i++)
            {
                if (s.Values[i] is double v && !double.IsNaN(v) && !double.IsInfinity(v))
                {
                    path.Append(inv, $"{(pen ? 'L' : 'M')}{X(seconds[i]):0.#},{y(v):0.#} ");
                    pen = true;
                }
                else
                {
                    pen = false;
                }
            }

            sb.Append(inv, $"<path d=\"{path}\" fill=\"none\" stroke=\"{s.Color}\" stroke-width=\"2\"><title>{Escape(s.Name)}</title></path>");
            sb.Append(inv, $"<rect x=\"{legendX}\" y=\"{Top + 6}\" width=\"12\" height=\"4\" fill=\"{s.Color}\"/><text x=\"{legendX + 16}\" y=\"{Top + 12}\" class=\"lg\">{Escape(s.Name)}</text>");
            legendX += 24 + (s.Name.Length * 7);
        }

        sb.Append("</svg>");
        return sb.ToString();
    }

    private static double NiceStep(double raw)
    {
        if (raw <= 0)
        {
            return 1;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var fraction = raw / magnitude;
        return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude;
    }

    public static string Format(double v)
    {
        var inv = CultureInfo.InvariantCulture;
        var a = Math.Abs(v);
        return a >= 1e6 ? (v / 1e6).ToString("0.#", inv) + "M"
            : a >= 1e3 ? (v / 1e3).ToString("0.#", inv) + "k"
            : a >= 1 || a == 0 ? v.ToString("0.##", inv)
            : v.ToString("0.###", inv);
    }

    public static string Escape(string s) => System.Net.WebUtility.HtmlEncode(s);
}
