using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PipeChat.Server.Hosting;

namespace PipeChat.Server.Tests.Support;

/// <summary>
/// The built server (PipeChat.Server.dll) in a child process, started the way it ships: through
/// Main, so process-wide start-up settings (inline socket completions, the runtimeconfig's GC
/// settings) apply to it and not to the test process.
/// </summary>
internal sealed class ServerProcess : IDisposable
{
    /// <summary>Variables a test process may carry that would change the child's start-up.</summary>
    private static readonly string[] s_inherited = [InlineSocketCompletions.Variable, RuntimeKnobs.Gen0MaxBudgetVariable];

    private readonly Process _process;

    private ServerProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Every line the server wrote to stdout and stderr so far.</summary>
    public ConcurrentQueue<string> Output { get; } = new();

    /// <summary>Starts the server on a free loopback port and waits until it accepts connections.</summary>
    public static async Task<ServerProcess> StartAsync(IReadOnlyDictionary<string, string>? environment = null, params string[] args)
    {
        var port = FreePort();
        var dll = typeof(PipeChatHost).Assembly.Location;
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("PIPECHAT_", StringComparison.Ordinal) || s_inherited.Contains(k)).ToArray())
        {
            info.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        foreach (var arg in (string[])[dll, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", .. args])
        {
            info.ArgumentList.Add(arg);
        }

        var server = new ServerProcess(Process.Start(info)!, port);
        server._process.OutputDataReceived += (_, e) => server.Output.Enqueue(e.Data ?? "");
        server._process.ErrorDataReceived += (_, e) => server.Output.Enqueue(e.Data ?? "");
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        try
        {
            await Eventually.UntilAsync(() => server._process.HasExited || server.Accepts(), TimeSpan.FromSeconds(30), "the server process accepting connections");
            if (server._process.HasExited)
            {
                throw new InvalidOperationException($"the server exited with {server._process.ExitCode}:\n{string.Join('\n', server.Output)}");
            }
        }
        catch
        {
            server.Dispose();
            throw;
        }

        return server;
    }

    /// <summary>Waits for a line of output containing <paramref name="text"/> and returns it.</summary>
    public async Task<string> WaitForLineAsync(string text)
    {
        string? found = null;
        await Eventually.UntilAsync(() => (found = Output.FirstOrDefault(line => line.Contains(text, StringComparison.Ordinal))) is not null, TimeSpan.FromSeconds(15), $"a line with '{text}'");
        return found!;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }

        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private bool Accepts()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
