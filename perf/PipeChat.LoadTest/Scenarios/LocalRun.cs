using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using PipeChat.LoadTest.Abuse;
using PipeChat.LoadTest.Client;
using PipeChat.LoadTest.Metrics;
using PipeChat.LoadTest.Options;

namespace PipeChat.LoadTest.Scenarios;

/// <summary>
/// One process's share of a run: connect (rate- and concurrency-limited), join, wait at the barrier,
/// drive the load for the duration, drain, close. Owns connections whose global index i has
/// i % ChildCount == ChildIndex. Every phase is bounded in time; every loop in count.
/// </summary>
internal sealed class LocalRun
{
    private static readonly TimeSpan s_connectTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_closeTimeout = TimeSpan.FromSeconds(2);

    private readonly LoadTestOptions _options;
    private readonly RunCounters _counters = new();
    private readonly ChatWorkload _workload;
    private readonly IPEndPoint _server;
    private readonly List<LoadConnection> _connections = [];
    private readonly HdrHistogram.HistogramBase _totalLatency = RunCounters.NewHistogram();
    private readonly HdrHistogram.HistogramBase _totalConnect = RunCounters.NewHistogram();
    private readonly int _childIndex;
    private readonly int _childCount;
    private volatile string _phase = "connect";
    private int _churnOpen;

    public LocalRun(LoadTestOptions options)
    {
        _options = options;
        _workload = new ChatWorkload(options, _counters);
        _childIndex = Math.Max(options.ChildIndex, 0);
        _childCount = options.IsChild ? options.ChildCount : 1;
        var host = options.Url.Host.Trim('[', ']');
        var address = host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(host);
        if (!IPAddress.IsLoopback(address))
        {
            throw new ArgumentException("only loopback targets are allowed", nameof(options));
        }

        _server = new IPEndPoint(address, options.Url.Port);
    }

    public RunCounters Counters => _counters;

    public async Task<RawResult> RunAsync(Func<Task> barrier, Action<RawSample> onSample, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(barrier);
        using var samplerStop = new CancellationTokenSource();
        var sampler = SampleLoopAsync(onSample, samplerStop.Token);
        var result = new RawResult();
        var t0 = Stopwatch.GetTimestamp();
        var abuse = _options.HasAbuse ? new AbuseDriver(_options, _counters, _server) : null;
        try
        {
            await ConnectAllAsync(cancellationToken);
            result.ConnectSeconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            if (_workload.JoinsByMessage)
            {
                _phase = "join";
                await JoinAllAsync(t0, cancellationToken);
            }

            if (abuse is not null)
            {
                _phase = "abuse";
                await abuse.SetupAsync(cancellationToken);
            }

            result.SetupSeconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            await barrier();
            _workload.Start();
            using var runStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var drivers = new List<Task>();
            if (_options.Scenario == Scenario.Api)
            {
                drivers.Add(new ApiPublisher(_options, _counters).RunAsync(() => _workload.Running, runStop.Token));
            }
            else if (_options.Scenario != Scenario.Connect)
            {
                drivers.Add(_workload.OpenLoop ? StartOpenLoopAsync() : PaceAsync(runStop.Token));
            }

            if (_options.Scenario is Scenario.Churn or Scenario.Soak)
            {
                drivers.Add(ChurnAsync(runStop.Token));
            }

            if (abuse is not null)
            {
                drivers.Add(abuse.RunAsync(runStop.Token));
            }

            if (_options.Warmup > TimeSpan.Zero)
            {
                _phase = "warmup";
                await DelayAsync(_options.Warmup, cancellationToken);
            }

            _phase = "run";
            result.AtRunStart = CounterSnapshot.Of(_counters);
            var runStart = Stopwatch.GetTimestamp();
            try
            {
                await Task.Delay(_options.Duration, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }

            _workload.Stop();
            await runStop.CancelAsync();
            result.AtRunEnd = CounterSnapshot.Of(_counters);
            result.RunSeconds = Stopwatch.GetElapsedTime(runStart).TotalSeconds;
            await Task.WhenAll(drivers);
            _phase = "drain";
            var drainStart = Stopwatch.GetTimestamp();
            if (_options.Scenario != Scenario.Connect)
            {
                await DrainAsync(cancellationToken);
            }

            result.DrainSeconds = Stopwatch.GetElapsedTime(drainStart).TotalSeconds;
            if (abuse is not null)
            {
                _phase = "check";
                await abuse.FinishAsync();
                result.Abuse = abuse.Summary;
            }
        }
        finally
        {
            _phase = "close";
            await CloseAllAsync();
            await samplerStop.CancelAsync();
            await sampler;
        }

        result.Counters = CounterSnapshot.Of(_counters);
        result.Errors = new Dictionary<string, long>(_counters.Errors);
        result.Latency = _totalLatency;
        result.Connect = _totalConnect;
        return result;
    }

    private static async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private IEnumerable<int> OwnedIndexes()
    {
        for (var g = _childIndex; g < _options.TotalMembers; g += _childCount)
        {
            yield return g;
        }
    }

    private async Task ConnectAllAsync(CancellationToken cancellationToken)
    {
        using var setup = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        setup.CancelAfter(_options.SetupTimeout);
        using var gate = new SemaphoreSlim(_options.ConnectConcurrency);
        if (_options.PollReceive)
        {
            // Polled connections connect and upgrade with blocking calls on pool threads: have enough of them at once.
            ThreadPool.GetMinThreads(out var workers, out var io);
            ThreadPool.SetMinThreads(Math.Max(workers, Math.Min(_options.ConnectConcurrency, 256) + Environment.ProcessorCount), io);
        }

        var rate = _options.ConnectRate / _childCount;
        var tasks = new List<Task>();
        var start = Stopwatch.GetTimestamp();
        var k = 0;
        try
        {
            foreach (var g in OwnedIndexes())
            {
                if (rate > 0)
                {
                    var ahead = TimeSpan.FromSeconds(k / rate) - Stopwatch.GetElapsedTime(start);
                    if (ahead > TimeSpan.FromMilliseconds(1))
                    {
                        await Task.Delay(ahead, setup.Token);
                    }
                }

                await gate.WaitAsync(setup.Token);
                tasks.Add(ConnectOneAsync(g, gate, setup.Token));
                k++;
            }
        }
        catch (OperationCanceledException)
        {
            _counters.Error("setup:timeout");
        }

        await Task.WhenAll(tasks);
    }

    private async Task ConnectOneAsync(int index, SemaphoreSlim gate, CancellationToken cancellationToken)
    {
        try
        {
            var connection = await OpenAsync(ChatWorkload.UserId(_options, index), index, churn: false, cancellationToken);
            if (connection is not null)
            {
                _workload.Assign(connection);
                lock (_connections)
                {
                    _connections.Add(connection);
                }

                connection.Start(_workload);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<LoadConnection?> OpenAsync(string userId, int index, bool churn, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _counters.ConnectAttempts);
        var started = Stopwatch.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        try
        {
            var source = _options.SpreadSources && _server.AddressFamily == AddressFamily.InterNetwork
                ? new IPAddress([127, 0, 0, (byte)(2 + (index % 250))])
                : null;
            var connection = await LoadConnection.ConnectAsync(
                _server, source, _options.Url, userId, index, _options.ReceiveBufferBytes, _options.PayloadBytes + 512, timeout.Token, _options.Deflate,
                _options.PollReceive ? _options.ConnectTimeout : null);
            RunCounters.RecordTicks(_counters.ConnectLatency, Stopwatch.GetTimestamp() - started);
            Interlocked.Increment(ref churn ? ref _counters.ChurnConnected : ref _counters.Established);
            Interlocked.Increment(ref _counters.Open);
            return connection;
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref churn ? ref _counters.ChurnFailed : ref _counters.ConnectFailed);
            _counters.Error(ErrorKind(e));
            return null;
        }
    }

    private static string ErrorKind(Exception e) => e switch
    {
        HandshakeException h => h.Message,
        SocketException s => "connect:" + s.SocketErrorCode,
        OperationCanceledException => "connect:timeout",
        AuthenticationException => "tls:handshake",
        IOException { InnerException: SocketException s } => "connect:" + s.SocketErrorCode,
        IOException => "connect:io",
        _ => "connect:" + e.GetType().Name,
    };

    private async Task JoinAllAsync(long t0, CancellationToken cancellationToken)
    {
        var joins = new Dictionary<int, byte[]>();
        var waits = new List<Task>(_connections.Count);
        foreach (var connection in _connections)
        {
            if (!joins.TryGetValue(connection.Room, out var join))
            {
                join = joins[connection.Room] = ChatWorkload.JoinMessage(ChatWorkload.RoomId(_options, connection.Room));
            }

            connection.Joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waits.Add(connection.Joined.Task);
            try
            {
                await connection.SendTextAsync(join);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                connection.Joined.TrySetResult();
            }
        }

        var left = _options.SetupTimeout - Stopwatch.GetElapsedTime(t0);
        try
        {
            await Task.WhenAll(waits).WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.FromSeconds(1), cancellationToken);
        }
        catch (TimeoutException)
        {
            foreach (var wait in waits)
            {
                if (!wait.IsCompleted)
                {
                    _counters.Error("join:timeout");
                }
            }
        }
    }

    private async Task StartOpenLoopAsync()
    {
        foreach (var connection in _connections)
        {
            if (connection.MessagePrefix is not null && !connection.IsClosing)
            {
                try
                {
                    await _workload.SendPendingAsync(connection, _options.Window);
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException)
                {
                    _counters.Error("send:io");
                }
            }
        }
    }

    /// <summary>Fixed rate: spreads the local share of the rate over the local senders, round robin, skipping a sender whose window is full.</summary>
    private async Task PaceAsync(CancellationToken cancellationToken)
    {
        var senders = _connections.Where(c => c.MessagePrefix is not null).ToArray();
        if (senders.Length == 0)
        {
            return;
        }

        var isPrivate = _options.Scenario == Scenario.Private;
        var totalSenders = isPrivate ? _options.Connections : _options.Rooms * _options.Senders;
        var rate = _options.Rate * senders.Length / totalSenders;
        var start = Stopwatch.GetTimestamp();
        long scheduled = 0;
        var next = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var due = Math.Min((long)(rate * Stopwatch.GetElapsedTime(start).TotalSeconds) - scheduled, 1_000_000);
            for (; due > 0; due--)
            {
                scheduled++;
                var connection = senders[next];
                next = next + 1 == senders.Length ? 0 : next + 1;
                if (connection.IsClosing)
                {
                    continue;
                }

                if (!isPrivate && Volatile.Read(ref connection.InFlight) >= _options.Window)
                {
                    Interlocked.Increment(ref _counters.WindowStalls);
                    continue;
                }

                try
                {
                    await _workload.SendPendingAsync(connection, 1);
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException)
                {
                    _counters.Error("send:io");
                }
            }

            try
            {
                await Task.Delay(1, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Opens, joins and closes connections at the churn rate, at most ChurnMaxOpen at once.</summary>
    private async Task ChurnAsync(CancellationToken cancellationToken)
    {
        var rate = _options.ChurnRate / _childCount;
        var start = Stopwatch.GetTimestamp();
        long scheduled = 0;
        var tasks = new List<Task>();
        while (!cancellationToken.IsCancellationRequested)
        {
            var due = Math.Min((long)(rate * Stopwatch.GetElapsedTime(start).TotalSeconds) - scheduled, 100_000);
            for (; due > 0; due--)
            {
                var k = (int)(scheduled++ * _childCount) + _childIndex;
                if (Volatile.Read(ref _churnOpen) >= _options.ChurnMaxOpen)
                {
                    _counters.Error("churn:max_open");
                    continue;
                }

                Interlocked.Increment(ref _churnOpen);
                tasks.Add(ChurnOneAsync(k));
            }

            tasks.RemoveAll(t => t.IsCompleted);
            try
            {
                await Task.Delay(1, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await Task.WhenAll(tasks);
    }

    private async Task ChurnOneAsync(int k)
    {
        try
        {
            var connection = await OpenAsync(_options.IdPrefix + "c" + k.ToString(System.Globalization.CultureInfo.InvariantCulture), k, churn: true, CancellationToken.None);
            if (connection is null)
            {
                return;
            }

            connection.Joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            connection.Start(_workload);
            try
            {
                await connection.SendTextAsync(ChatWorkload.JoinMessage(_options.IdPrefix + "cr" + (k % 64).ToString(System.Globalization.CultureInfo.InvariantCulture)));
                await connection.Joined.Task.WaitAsync(s_connectTimeout);
                await Task.Delay(_options.ChurnHold);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or TimeoutException)
            {
                Interlocked.Increment(ref _counters.ChurnFailed);
                _counters.Error(e is TimeoutException ? "churn:join_timeout" : "churn:io");
            }

            if (!connection.IsClosing)
            {
                await connection.CloseAsync(s_closeTimeout);
                Interlocked.Decrement(ref _counters.Open);
            }
            else
            {
                connection.Abort();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _churnOpen);
        }
    }

    /// <summary>Waits for messages still in flight: until all expected arrived (one process), nothing moved for a second, or the drain time is up.</summary>
    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var last = Volatile.Read(ref _counters.Delivered);
        var lastChange = start;
        while (Stopwatch.GetElapsedTime(start) < _options.Drain && !cancellationToken.IsCancellationRequested)
        {
            if (!_options.IsChild && Volatile.Read(ref _counters.Delivered) - Volatile.Read(ref _counters.Duplicated) >= Volatile.Read(ref _counters.Expected))
            {
                return;
            }

            await Task.Delay(20, CancellationToken.None);
            var delivered = Volatile.Read(ref _counters.Delivered);
            if (delivered != last)
            {
                last = delivered;
                lastChange = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetElapsedTime(lastChange) > TimeSpan.FromSeconds(1))
            {
                return;
            }
        }
    }

    private async Task CloseAllAsync()
    {
        using var gate = new SemaphoreSlim(256);
        LoadConnection[] all;
        lock (_connections)
        {
            all = [.. _connections];
        }

        await Task.WhenAll(all.Select(async connection =>
        {
            await gate.WaitAsync();
            try
            {
                if (connection.IsClosing)
                {
                    connection.Abort();
                }
                else
                {
                    await connection.CloseAsync(s_closeTimeout);
                    Interlocked.Decrement(ref _counters.Open);
                }
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    private async Task SampleLoopAsync(Action<RawSample> onSample, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var index = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                onSample(Take(index++, start));
            }
        }
        catch (OperationCanceledException)
        {
        }

        onSample(Take(index, start));
    }

    private RawSample Take(int index, long start)
    {
        var latency = _counters.Latency.GetIntervalHistogram();
        var connect = _counters.ConnectLatency.GetIntervalHistogram();
        if (_phase is "run" or "drain" or "close")
        {
            _totalLatency.Add(latency);
        }

        _totalConnect.Add(connect);
        return new RawSample
        {
            Index = index,
            Elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds,
            Phase = _phase,
            Counters = CounterSnapshot.Of(_counters),
            Latency = latency,
            Connect = connect,
        };
    }
}
