using System.Diagnostics;
using System.Xml.Linq;
using PipeChat.Server.Hosting;

namespace PipeChat.Server.Tests.ShippedMode;

/// <summary>
/// Runs a subset of this test assembly in a child <c>dotnet test</c> process with its own
/// environment: the way to test process-wide settings the runtime reads once (inline socket
/// completions) without changing them for the rest of the suite.
/// </summary>
internal static class ChildTestRun
{
    /// <summary>Set in the child, so a wrapper test never starts runs of itself.</summary>
    public const string ChildMarker = "PIPECHAT_TESTS_CHILD_RUN";

    public sealed record Result(int Passed, IReadOnlyList<string> Failed, string Output);

    public static async Task<Result> RunAsync(string filter, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var results = Directory.CreateTempSubdirectory("pipechat-child-run-");
        try
        {
            var info = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in (string[])["test", typeof(ChildTestRun).Assembly.Location, "--filter", filter,
                "--logger", "trx;LogFileName=child.trx", "--results-directory", results.FullName])
            {
                info.ArgumentList.Add(arg);
            }

            foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("PIPECHAT_", StringComparison.Ordinal) || k == InlineSocketCompletions.Variable).ToArray())
            {
                info.Environment.Remove(name);
            }

            info.Environment[ChildMarker] = "1";
            foreach (var (name, value) in environment)
            {
                info.Environment[name] = value;
            }

            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using (var cts = new CancellationTokenSource(timeout))
            {
                try
                {
                    await process.WaitForExitAsync(cts.Token);
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                    throw new TimeoutException($"the child test run did not finish within {timeout}");
                }
            }

            var output = await stdout + await stderr;
            var trx = Path.Combine(results.FullName, "child.trx");
            if (!File.Exists(trx))
            {
                return new Result(0, ["(no results: the child run failed to start)"], output);
            }

            var outcomes = XDocument.Load(trx).Descendants().Where(e => e.Name.LocalName == "UnitTestResult").ToList();
            var failed = outcomes.Where(e => (string?)e.Attribute("outcome") != "Passed")
                .Select(e => $"{(string?)e.Attribute("testName")}: {(string?)e.Attribute("outcome")}")
                .ToList();
            return new Result(outcomes.Count - failed.Count, failed, output);
        }
        finally
        {
            results.Delete(recursive: true);
        }
    }
}
