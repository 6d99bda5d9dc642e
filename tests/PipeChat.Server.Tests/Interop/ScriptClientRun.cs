using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;

namespace PipeChat.Server.Tests.Interop;

/// <summary>One run of an interop client script (node or python) and the per-case results it printed.</summary>
public sealed class ScriptClientRun
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(150);

    private ScriptClientRun(string description, int exitCode, string stdout, string stderr, IReadOnlyDictionary<string, (bool Ok, string Detail)> results)
    {
        Description = description;
        ExitCode = exitCode;
        Stdout = stdout;
        Stderr = stderr;
        Results = results;
    }

    public string Description { get; }

    public int ExitCode { get; }

    public string Stdout { get; }

    public string Stderr { get; }

    public IReadOnlyDictionary<string, (bool Ok, string Detail)> Results { get; }

    public static async Task<ScriptClientRun> RunAsync(string program, string script, Uri url, params string[] extraArguments)
    {
        var scriptPath = Path.Combine(RepositoryRoot(), "tests", "interop", script);
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(scriptPath)!,
        };
        start.ArgumentList.Add(scriptPath);
        start.ArgumentList.Add(url.AbsoluteUri);
        foreach (var argument in extraArguments)
        {
            start.ArgumentList.Add(argument);
        }

        var description = $"{program} {script} {url} {string.Join(' ', extraArguments)}".TrimEnd();

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"{program} is not installed ({e.Message}); `bash scripts/test.sh` installs the interop clients' dependencies", e);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var deadline = new CancellationTokenSource(s_timeout);
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{description} did not finish within {s_timeout.TotalSeconds} s");
            }

            return new ScriptClientRun(description, process.ExitCode, await stdout, await stderr, Parse(await stdout));
        }
    }

    /// <summary>Fails with the script's own words unless the named case ran and passed.</summary>
    public void AssertPassed(string name)
    {
        Assert.True(ExitCode is 0 or 1, $"{Description} exited with {ExitCode}: {Stderr.Trim()} {Stdout.Trim()}");
        Assert.True(Results.TryGetValue(name, out var result), $"{Description} reported no result for {name}; results: {string.Join(", ", Results.Keys)}; stderr: {Stderr.Trim()}");
        Assert.True(result.Ok, $"{name}: {result.Detail}");
    }

    private static Dictionary<string, (bool Ok, string Detail)> Parse(string stdout)
    {
        var results = new Dictionary<string, (bool, string)>(StringComparer.Ordinal);
        var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => l.StartsWith('{'));
        if (line is null)
        {
            return results;
        }

        using var document = JsonDocument.Parse(line);
        foreach (var result in document.RootElement.GetProperty("results").EnumerateArray())
        {
            results[result.GetProperty("name").GetString()!] = (result.GetProperty("ok").GetBoolean(), result.GetProperty("detail").GetString() ?? "");
        }

        return results;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "PipeChat.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"PipeChat.sln not found above {AppContext.BaseDirectory}");
    }
}
