using System.Globalization;
using System.Text.RegularExpressions;

namespace PipeChat.Server.Tests.Diagnostics;

/// <summary>Reads a series' value out of Prometheus text (with or without labels such as otel_scope_name).</summary>
internal static partial class MetricsText
{
    /// <summary>The value of the first sample of <paramref name="name"/>, or null when the text has none.</summary>
    public static double? Value(string text, string name)
    {
        foreach (Match match in Sample().Matches(text))
        {
            if (match.Groups["name"].Value == name)
            {
                return double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex Sample();
}
