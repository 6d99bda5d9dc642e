using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace PipeChat.Server.Tests.ScaleOut;

/// <summary>
/// A throw-away redis-server (Debian's, installed by scripts/test.sh) on a free loopback port,
/// with no persistence: stopping it loses everything, as a crash of a cache-only Redis would.
/// Killed by pid at the end.
/// </summary>
public sealed class RedisServer : IAsyncLifetime, IRedisBackend
{
    private const string Executable = "/usr/bin/redis-server";
    private Process? _process;

    public int Port { get; } = FreePort();

    /// <summary>The value for --redis.</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    public Task InitializeAsync() => StartAsync();

    public Task DisposeAsync()
    {
        Stop();
        return Task.CompletedTask;
    }

    public async Task StartAsync()
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing: run scripts/test.sh (it installs Debian's redis-server) or apt-get install redis-server");
        }

        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no" })
        {
            info.ArgumentList.Add(arg);
        }

        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException($"redis-server did not start on port {Port}");
    }

    /// <summary>Kills the server (SIGKILL): its data is gone.</summary>
    public void Stop()
    {
        if (_process is { } process)
        {
            _process = null;
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit(5000);
            }

            process.Dispose();
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
