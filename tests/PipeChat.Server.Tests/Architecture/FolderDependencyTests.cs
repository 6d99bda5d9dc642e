using System.Text.RegularExpressions;

namespace PipeChat.Server.Tests.Architecture;

/// <summary>
/// The server's folders depend on each other in one direction only (README, "Layout"): a folder
/// uses only folders of a lower layer, so a reader follows each step without one reaching back.
/// Read from the sources: <c>using</c> directives, qualified names and <c>cref</c>s.
/// </summary>
public sealed class FolderDependencyTests
{
    /// <summary>The layers, lowest first; a folder may use folders of lower layers (and its own).</summary>
    private static readonly string[][] s_layers =
    [
        ["Auth", "Buffers", "Configuration", "Diagnostics"],
        ["Compression", "Transport", "Rooms"],
        ["Routing"],
        ["ScaleOut", "Connections", "Content"],
        ["Chat"],
        ["Http"],
        ["Hosting"],
    ];

    [Fact]
    public void Every_folder_uses_only_folders_of_lower_layers()
    {
        var root = Path.Combine(RepositoryRoot(), "src", "PipeChat.Server");
        var folders = s_layers.SelectMany(layer => layer).ToArray();
        var actual = Directory.GetDirectories(root).Select(Path.GetFileName)
            .Where(name => name is not ("bin" or "obj" or "wwwroot" or "Properties"))
            .Order().ToArray();
        Assert.Equal(folders.Order().ToArray(), actual);

        var layerOf = s_layers.SelectMany((layer, rank) => layer.Select(folder => (folder, rank))).ToDictionary(p => p.folder, p => p.rank);
        var names = string.Join('|', folders);
        var reference = new Regex(@"PipeChat\.Server\.(" + names + @")\b|(?<![\w.])(" + names + @")\.[A-Z]\w*", RegexOptions.Compiled);
        var violations = new List<string>();
        foreach (var folder in folders)
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories))
            {
                foreach (var (line, number) in File.ReadLines(file).Select((l, i) => (l.Trim(), i + 1)))
                {
                    if (line.StartsWith("namespace ", StringComparison.Ordinal)
                        || (line.StartsWith("//", StringComparison.Ordinal) && !line.Contains("cref=", StringComparison.Ordinal)))
                    {
                        continue;
                    }

                    foreach (Match match in reference.Matches(line))
                    {
                        var used = match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value;
                        if (used != folder && layerOf[used] >= layerOf[folder])
                        {
                            violations.Add($"{folder}/{Path.GetRelativePath(Path.Combine(root, folder), file)}:{number} uses {used} ({match.Value})");
                        }
                    }
                }
            }
        }

        Assert.True(violations.Count == 0, "folders reaching up or sideways:\n" + string.Join('\n', violations));
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "PipeChat.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("PipeChat.sln not found above " + AppContext.BaseDirectory);
    }
}
