using System.Globalization;
using PipeChat.Server.Configuration;
using PipeChat.Server.Hosting;

namespace PipeChat.Server.Tests.Hosting;

/// <summary>README's configuration table says what --help says: one row per setting (in any order), same flag, variable, default and text.</summary>
public sealed class ReadmeSettingsTests
{
    [Fact]
    public void Readme_config_table_has_one_row_per_setting_matching_help()
    {
        var readme = File.ReadAllLines(FindReadme());
        var header = Array.FindIndex(readme, line => line.StartsWith("| flag | environment |", StringComparison.Ordinal));
        Assert.True(header >= 0, "README has no '| flag | environment |' table");
        var rows = readme.Skip(header + 2).TakeWhile(line => line.StartsWith('|')).ToList();
        var defaults = new ServerOptions();

        Assert.Equal(SettingsTable.All.Select(s => s.Flag).Order(StringComparer.Ordinal), rows.Select(r => r.Split('|')[1].Trim().Trim('`')).Order(StringComparer.Ordinal));
        foreach (var setting in SettingsTable.All)
        {
            var cells = rows.Single(r => r.StartsWith($"| `{setting.Flag}` |", StringComparison.Ordinal)).Split('|');
            var value = typeof(ServerOptions).GetProperty(setting.Name)!.GetValue(defaults);
            var expectedDefault = value is null ? "—" : $"`{Convert.ToString(value, CultureInfo.InvariantCulture)}`";
            Assert.Equal($"`{setting.EnvironmentVariable}`", cells[2].Trim());
            Assert.Equal(expectedDefault, cells[3].Trim());

            // README may add a link in parentheses after the help text.
            var text = cells[4].Trim();
            Assert.True(text == setting.Help || text.StartsWith(setting.Help.TrimEnd(')'), StringComparison.Ordinal), $"{setting.Flag}: README says '{text}', --help says '{setting.Help}'");
        }
    }

    private static string FindReadme()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "README.md");
            if (File.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "PipeChat.sln")))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("README.md next to PipeChat.sln");
    }
}
