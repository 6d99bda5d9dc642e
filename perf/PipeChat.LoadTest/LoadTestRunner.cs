using System.Text.Json;
using PipeChat.LoadTest.Hosting;
using PipeChat.LoadTest.Metrics;
using PipeChat.LoadTest.Options;
using PipeChat.LoadTest.Reports;
using PipeChat.LoadTest.Scenarios;

namespace PipeChat.LoadTest;

/// <summary>The library entry point (used by the console app and the CI smoke tests).</summary>
public static class LoadTestRunner
{
    /// <summary>Runs one scenario and, unless <see cref="LoadTestOptions.ReportRoot"/> is null, writes its report folder.</summary>
    /// <param name="options">Settings; scenario defaults must already be applied (<see cref="OptionsParser.ApplyDefaults"/>).</param>
    /// <param name="output">Progress lines and the final table; null for silence.</param>
    public static async Task<LoadTestResult> RunAsync(LoadTestOptions options, TextWriter? output = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (OptionsParser.Validate(options) is { } error)
        {
            throw new ArgumentException(error, nameof(options));
        }

        var progress = options.Progress ? output : null;
        LoadTestResult result;
        if (options.Processes > 1 && !options.IsChild)
        {
            result = await ProcessFleet.RunAsync(options, progress, cancellationToken);
        }
        else
        {
            var builder = new ResultBuilder(options, 1, progress);
            var run = new LocalRun(options);
            var raw = await run.RunAsync(
                () =>
                {
                    builder.MarkSetupDone();
                    return Task.CompletedTask;
                },
                builder.Add,
                cancellationToken);
            result = builder.Complete([raw]);
        }

        if (options.ReportRoot is not null)
        {
            ReportWriter.Write(options.ReportRoot, result);
        }

        if (options.SummaryPath is not null)
        {
            await File.WriteAllTextAsync(options.SummaryPath, JsonSerializer.Serialize(result, ReportWriter.Json), cancellationToken);
        }

        if (output is not null)
        {
            ConsoleReport.Write(output, result);
        }

        return result;
    }

    private const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Command-line entry: parse, run (or act as a child process), print. Exit code 2 on bad arguments.</summary>
    public static async Task<int> MainAsync(string[] args)
    {
        // The client's receive → check → reply runs on the socket event thread that saw the data,
        // not on a thread-pool worker woken for it: about 30 % less client CPU per echo round trip
        // (docs/performance.md). The same client for every server under test. The runtime reads
        // the variable when the first socket is created; a value set by the caller wins.
        if (Environment.GetEnvironmentVariable(InlineCompletionsVariable) is null)
        {
            Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
        }

        if (args.Length > 0 && args[0] == "hot-room")
        {
            // Live rooms under overload (docs/performance.md): its own options and report.
            return await Scenarios.HotRoom.HotRoomRun.MainAsync(args[1..]);
        }

        if (!OptionsParser.TryParse(args, out var options, out var error))
        {
            await Console.Error.WriteLineAsync(error);
            return error == OptionsParser.Usage ? 0 : 2;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        if (options.IsChild)
        {
            await RunChildAsync(options, cancel.Token);
            return 0;
        }

        var result = await RunAsync(options, Console.Out, cancel.Token);
        return result.Counters.Established > 0 ? 0 : 1;
    }

    /// <summary>A child process: one slice of the connections, reporting to the parent over stdout (see <see cref="ChildProtocol"/>).</summary>
    private static async Task RunChildAsync(LoadTestOptions options, CancellationToken cancellationToken)
    {
        var stdout = Console.Out;
        var gate = new object();
        void WriteLine(string line)
        {
            lock (gate)
            {
                stdout.WriteLine(line);
                stdout.Flush();
            }
        }

        var run = new LocalRun(options);
        var raw = await run.RunAsync(
            async () =>
            {
                WriteLine(ChildProtocol.Ready);
                var go = Console.In.ReadLineAsync(cancellationToken).AsTask();
                await go.WaitAsync(options.SetupTimeout + TimeSpan.FromSeconds(60), cancellationToken);
            },
            sample => WriteLine(ChildProtocol.SamplePrefix + JsonSerializer.Serialize(sample.ForTransfer())),
            cancellationToken);
        WriteLine(ChildProtocol.ResultPrefix + JsonSerializer.Serialize(raw.ForTransfer()));
    }
}
