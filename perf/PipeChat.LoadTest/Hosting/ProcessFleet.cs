using System.Diagnostics;
using System.Text.Json;
using PipeChat.LoadTest.Metrics;
using PipeChat.LoadTest.Options;

namespace PipeChat.LoadTest.Hosting;

/// <summary>
/// Runs a load over N child processes (each below the per-process open-file limit), holds them at
/// a common barrier between setup and run, and merges their per-second samples and totals. The
/// parent ends only the children it started, by their process handles.
/// </summary>
internal static class ProcessFleet
{
    public static async Task<LoadTestResult> RunAsync(LoadTestOptions options, TextWriter? progress, CancellationToken cancellationToken)
    {
        var count = options.Processes;
        var builder = new ResultBuilder(options, count, progress);
        var results = new RawResult?[count];
        var children = new Process[count];
        var readers = new Task[count];
        var ready = 0;
        var allReady = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (host, prefix) = ChildCommand();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var start = new ProcessStartInfo(host)
                {
                    RedirectStandardInput = true,
                    RedirectStandardOutput = true,
                    RedirectStandardError = false,
                    UseShellExecute = false,
                };
                foreach (var arg in prefix.Concat(OptionsWriter.ToArgs(options)))
                {
                    start.ArgumentList.Add(arg);
                }

                foreach (var arg in new[] { "--child-index", i.ToString(System.Globalization.CultureInfo.InvariantCulture), "--child-count", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "--quiet", "--no-report" })
                {
                    start.ArgumentList.Add(arg);
                }

                children[i] = Process.Start(start) ?? throw new InvalidOperationException("could not start a child process");
                var index = i;
                readers[i] = Task.Run(async () =>
                {
                    var output = children[index].StandardOutput;
                    while (await output.ReadLineAsync(CancellationToken.None) is { } line)
                    {
                        if (line == ChildProtocol.Ready)
                        {
                            if (Interlocked.Increment(ref ready) == count)
                            {
                                allReady.TrySetResult();
                            }
                        }
                        else if (line.StartsWith(ChildProtocol.SamplePrefix, StringComparison.Ordinal))
                        {
                            var sample = JsonSerializer.Deserialize<RawSample>(line.AsSpan(ChildProtocol.SamplePrefix.Length))!;
                            sample.Source = index;
                            builder.Add(sample.AfterTransfer());
                        }
                        else if (line.StartsWith(ChildProtocol.ResultPrefix, StringComparison.Ordinal))
                        {
                            results[index] = JsonSerializer.Deserialize<RawResult>(line.AsSpan(ChildProtocol.ResultPrefix.Length))!.AfterTransfer();
                        }
                        else
                        {
                            progress?.WriteLine($"[child {index}] {line}");
                        }
                    }

                    allReady.TrySetResult(); // a child that ended early must not hold the barrier
                });
            }

            builder.SetClientPids(children.Select(c => c.Id));
            try
            {
                await allReady.Task.WaitAsync(options.SetupTimeout + TimeSpan.FromSeconds(30), cancellationToken);
            }
            catch (TimeoutException)
            {
                progress?.WriteLine("not every child became ready in time; starting anyway");
            }

            builder.MarkSetupDone();
            foreach (var child in children)
            {
                try
                {
                    await child.StandardInput.WriteLineAsync(ChildProtocol.Go);
                    await child.StandardInput.FlushAsync(cancellationToken);
                }
                catch (IOException)
                {
                }
            }

            var limit = options.SetupTimeout + options.Duration + options.Drain + TimeSpan.FromSeconds(120);
            await Task.WhenAll(readers).WaitAsync(limit, cancellationToken);
            foreach (var child in children)
            {
                await child.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            }
        }
        finally
        {
            foreach (var child in children)
            {
                if (child is { HasExited: false })
                {
                    child.Kill(); // only our own children, by handle
                }

                child?.Dispose();
            }
        }

        return builder.Complete(results.Where(r => r is not null).ToList()!);
    }

    /// <summary>How to start this same tool again: the apphost, or dotnet + the assembly.</summary>
    private static (string Host, string[] Prefix) ChildCommand()
    {
        var assembly = typeof(ProcessFleet).Assembly.Location;
        var processPath = Environment.ProcessPath ?? "dotnet";
        var apphost = Path.ChangeExtension(assembly, null);
        if (Path.GetFileName(processPath) == Path.GetFileName(apphost) && File.Exists(processPath))
        {
            return (processPath, []);
        }

        var dotnet = Path.GetFileNameWithoutExtension(processPath) == "dotnet" ? processPath : "dotnet";
        return (dotnet, [assembly]);
    }
}
