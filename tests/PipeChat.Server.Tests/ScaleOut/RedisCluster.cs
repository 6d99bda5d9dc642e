using System.Diagnostics;
using System.Net.Sockets;

namespace PipeChat.Server.Tests.ScaleOut;

/// <summary>
/// A throw-away Redis Cluster: six Debian redis-server processes (three masters, three replicas)
/// on free loopback ports, cluster-enabled, no persistence, joined by
/// <c>redis-cli --cluster create … --cluster-replicas 1</c>. Every wait is bounded; only its own
/// processes are killed (by pid); its working directory is deleted at the end.
/// </summary>
public sealed class RedisCluster : IAsyncLifetime, IRedisBackend
{
    private const string Server = "/usr/bin/redis-server";
    private const string Cli = "/usr/bin/redis-cli";
    private const int Size = 6;
    private readonly Process?[] _processes = new Process?[Size];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "pipechat-cluster-" + Guid.NewGuid().ToString("N")[..8]);

    public int[] Ports { get; } = [.. Enumerable.Range(0, Size).Select(_ => RedisServer.FreePort())];

    /// <summary>The value for --redis: the first three nodes (the client learns the rest from them).</summary>
    public string Endpoint => string.Join(',', Ports.Take(3).Select(p => "127.0.0.1:" + p));

    public async Task InitializeAsync()
    {
        if (!File.Exists(Server) || !File.Exists(Cli))
        {
            throw new InvalidOperationException($"{Server} or {Cli} is missing: run scripts/test.sh (it installs Debian's redis-server) or apt-get install redis-server");
        }

        Directory.CreateDirectory(_directory);
        for (var i = 0; i < Size; i++)
        {
            _processes[i] = StartNode(i);
        }

        foreach (var port in Ports)
        {
            await WaitForPortAsync(port);
        }

        var create = await RunCliAsync(["--cluster", "create", .. Ports.Select(p => "127.0.0.1:" + p), "--cluster-replicas", "1", "--cluster-yes"], TimeSpan.FromSeconds(30));
        if (create.ExitCode != 0)
        {
            throw new InvalidOperationException("redis-cli --cluster create failed: " + create.Output);
        }

        foreach (var port in Ports)
        {
            await WaitUntilAsync(async () => (await RunCliAsync(["-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "cluster", "info"], TimeSpan.FromSeconds(5))).Output.Contains("cluster_state:ok", StringComparison.Ordinal), TimeSpan.FromSeconds(20), "cluster_state:ok on " + port);
        }

        // Every replica attached to its master, so WAIT 1 can succeed from the start.
        foreach (var port in Ports)
        {
            await WaitUntilAsync(
                async () =>
                {
                    var info = (await RunCliAsync(["-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "info", "replication"], TimeSpan.FromSeconds(5))).Output;
                    return info.Contains("role:slave", StringComparison.Ordinal) ? info.Contains("master_link_status:up", StringComparison.Ordinal) : info.Contains("connected_slaves:1", StringComparison.Ordinal);
                },
                TimeSpan.FromSeconds(20),
                "replication on " + port);
        }
    }

    public Task DisposeAsync()
    {
        for (var i = 0; i < Size; i++)
        {
            Kill(i);
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }

        return Task.CompletedTask;
    }

    /// <summary>The port of the master that serves <paramref name="key"/>'s slot now.</summary>
    public async Task<int> MasterForAsync(string key, int askNot = 0)
    {
        var n = PipeChat.Server.ScaleOut.RedisKeys.Slot(key);
        var slot = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var ask = Ports.First(p => p != askNot).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var nodes = (await RunCliAsync(["-p", ask, "cluster", "nodes"], TimeSpan.FromSeconds(5))).Output;
        foreach (var line in nodes.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ');
            if (!parts[2].Contains("master", StringComparison.Ordinal) || parts[2].Contains("fail", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var range in parts.Skip(8))
            {
                var bounds = range.Split('-');
                var low = int.Parse(bounds[0], System.Globalization.CultureInfo.InvariantCulture);
                var high = bounds.Length > 1 ? int.Parse(bounds[1], System.Globalization.CultureInfo.InvariantCulture) : low;
                if (n >= low && n <= high)
                {
                    return int.Parse(parts[1].Split('@')[0].Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }

        throw new InvalidOperationException("no master serves slot " + slot);
    }

    /// <summary>Kills (SIGKILL) the node on <paramref name="port"/>: its replica takes over after the node timeout.</summary>
    public void KillNode(int port) => Kill(Array.IndexOf(Ports, port));

    /// <summary>Starts the killed node on <paramref name="port"/> again: with its cluster config kept, it rejoins as a replica of the master that replaced it.</summary>
    public void RestartNode(int port)
    {
        var index = Array.IndexOf(Ports, port);
        _processes[index] ??= StartNode(index);
    }

    /// <summary>Waits until another node than <paramref name="oldMaster"/> serves <paramref name="key"/>'s slot and the cluster is whole (cluster_state:ok).</summary>
    public Task WaitPromotedAsync(string key, int oldMaster, TimeSpan timeout)
        => WaitUntilAsync(
            async () =>
            {
                try
                {
                    var live = Ports.First(p => p != oldMaster).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    return await MasterForAsync(key, oldMaster) != oldMaster
                        && (await RunCliAsync(["-p", live, "cluster", "info"], TimeSpan.FromSeconds(5))).Output.Contains("cluster_state:ok", StringComparison.Ordinal);
                }
                catch (InvalidOperationException)
                {
                    return false; // No master for the slot yet.
                }
            },
            timeout,
            "a replica to take over");

    private Process StartNode(int index)
    {
        var port = Ports[index].ToString(System.Globalization.CultureInfo.InvariantCulture);
        var info = new ProcessStartInfo(Server)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory,
        };
        foreach (var arg in new[]
        {
            "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no",
            "--cluster-enabled", "yes", "--cluster-config-file", "nodes-" + port + ".conf", "--cluster-node-timeout", "1000", "--cluster-replica-validity-factor", "0",
            "--dir", _directory,
        })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Kill(int index)
    {
        if (index >= 0 && _processes[index] is { } process)
        {
            _processes[index] = null;
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit(5000);
            }

            process.Dispose();
        }
    }

    private static async Task WaitForPortAsync(int port)
        => await WaitUntilAsync(
            async () =>
            {
                try
                {
                    using var probe = new TcpClient();
                    await probe.ConnectAsync(System.Net.IPAddress.Loopback, port);
                    return true;
                }
                catch (SocketException)
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(10),
            "redis-server on " + port);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!await condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException("timed out waiting for " + what);
            }

            await Task.Delay(100);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunCliAsync(string[] args, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(Cli) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException("redis-cli " + string.Join(' ', args) + " did not finish");
        }

        return (process.ExitCode, await output + await error);
    }
}
