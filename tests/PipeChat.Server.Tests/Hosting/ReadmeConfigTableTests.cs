using System.Globalization;
using System.Text.RegularExpressions;
using PipeChat.Server.Hosting;

namespace PipeChat.Server.Tests.Hosting;

/// <summary>README's configuration table lists exactly the settings the server has, with their real defaults.</summary>
public sealed partial class ReadmeConfigTableTests
{
    [Fact]
    public void Every_setting_has_a_row_with_its_flag_variable_and_default()
    {
        var rows = ReadRows();
        var defaults = new ServerOptions();

        foreach (var setting in SettingsTable.All)
        {
            Assert.True(rows.TryGetValue(setting.Flag, out var row), $"README has no row for {setting.Flag}");
            Assert.Equal(setting.EnvironmentVariable, row.Variable);
            var value = typeof(ServerOptions).GetProperty(setting.Name)!.GetValue(defaults);
            var expected = value is null ? "—" : Convert.ToString(value, CultureInfo.InvariantCulture);
            Assert.True(expected == row.Default, $"{setting.Flag}: README says {row.Default}, the server {expected}");
        }

        Assert.Equal(SettingsTable.All.Select(s => s.Flag).Order(), rows.Keys.Order());
    }

    private static Dictionary<string, (string Variable, string Default)> ReadRows()
    {
        var readme = File.ReadAllText(Path.Combine(FindRoot(), "README.md"));
        var section = readme[readme.IndexOf("## Configuration", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 3, StringComparison.Ordinal)];
        var rows = new Dictionary<string, (string, string)>();
        foreach (Match match in Row().Matches(section))
        {
            rows[match.Groups["flag"].Value] = (match.Groups["env"].Value, match.Groups["default"].Value.Trim('`'));
        }

        return rows;
    }

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "PipeChat.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("PipeChat.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^\| `(?<flag>--[a-z0-9-]+)` \| `(?<env>PIPECHAT_[A-Z0-9_]+)` \| (?<default>[^|]+?) \|", RegexOptions.Multiline)]
    private static partial Regex Row();
}
