using System.Diagnostics;
using PipeChat.Server.Hosting;

namespace PipeChat.Server.Tests.ScaleOut;

/// <summary>A PipeChat node in its own process (the built PipeChat.Server.dll), so a test can SIGKILL it.</summary>
internal sealed class NodeProcess : IDisposable
{
    private readonly Process _process;

    private NodeProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>What the node printed (for failure messages).</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Output { get; private init; } = new();

    public static async Task<NodeProcess> StartAsync(params string[] args)
    {
        var port = RedisServer.FreePort();
        var dll = typeof(PipeChatHost).Assembly.Location;
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])[dll, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--http-bind", "off", "--presence-grace-seconds", "0", .. args])
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => output.Enqueue(e.Data ?? "");
        process.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? "");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var node = new NodeProcess(process, port) { Output = output };
        await Nodes.EventuallyAsync(async () =>
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"node process exited with {process.ExitCode}");
            }

            try
            {
                return (await Nodes.GetAsync(port, "/healthz")).Body == "ok\n";
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "node process listening", seconds: 30);
        return node;
    }

    /// <summary>SIGKILL: no close frames, no presence cleanup.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
