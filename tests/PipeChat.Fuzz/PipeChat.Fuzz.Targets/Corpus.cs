namespace PipeChat.Fuzz;

/// <summary>The seed corpora in tests/fuzz-corpus/&lt;target&gt;/, one input per file.</summary>
public static class Corpus
{
    /// <summary>tests/fuzz-corpus, found by walking up from <paramref name="start"/> to the folder holding PipeChat.sln.</summary>
    public static string FindRoot(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "PipeChat.sln")))
            {
                return Path.Combine(directory.FullName, "tests", "fuzz-corpus");
            }
        }

        throw new DirectoryNotFoundException($"No PipeChat.sln above {start}.");
    }

    /// <summary>Every file of a target's corpus, in name order.</summary>
    public static List<(string Name, byte[] Bytes)> Load(string root, string target)
        => [.. Directory.GetFiles(Path.Combine(root, target)).Order(StringComparer.Ordinal).Select(path => (Path.GetFileName(path), File.ReadAllBytes(path)))];
}
