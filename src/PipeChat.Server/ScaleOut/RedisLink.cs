using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace PipeChat.Server.ScaleOut;

/// <summary>
/// The node's connection to Redis (one instance, or a Redis Cluster: StackExchange.Redis routes
/// each key and sharded channel to its slot's master): connects without failing when Redis is down
/// (StackExchange.Redis keeps retrying), fails commands fast while it is away, and says when it
/// came back. When a server is lost it re-reads the topology every second until every slot has a
/// connected master again (a replica promoted by a cluster failover), then says so too.
/// </summary>
internal sealed class RedisLink(RedisSettings settings, ILogger logger) : IDisposable
{
    private ConnectionMultiplexer? _redis;
    private volatile bool _disposed;
    private int _following;

    /// <summary>This process's id in Redis (presence keys).</summary>
    public string NodeId { get; } = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));

    /// <summary>Whether commands can reach Redis now.</summary>
    public bool IsConnected => !_disposed && _redis is { IsConnected: true };

    public IDatabase Db => _redis!.GetDatabase();

    public ISubscriber Subscriber => _redis!.GetSubscriber();

    public ILogger Logger => logger;

    /// <summary>The server that holds <paramref name="key"/>'s slot (its master): where WAIT must run after a write to the key.</summary>
    public IServer ServerFor(RedisKey key) => _redis!.GetServer(key);

    /// <summary>Raised (on a Redis thread) when a lost connection is back.</summary>
    public event Action? Restored;

    public void Start()
    {
        var config = ConfigurationOptions.Parse(settings.Configuration);
        config.AbortOnConnectFail = false;
        config.BacklogPolicy = BacklogPolicy.FailFast;
        config.ConnectTimeout = 5000;
        config.AsyncTimeout = 5000;
        config.SyncTimeout = 5000;
        config.ConnectRetry = 1;
        config.ReconnectRetryPolicy = new LinearRetry(500);
        config.ClientName = "pipechat-" + NodeId;
        ScaleOutLog.Starting(logger, settings.Configuration, NodeId);
        _redis = ConnectionMultiplexer.Connect(config);
        _redis.ConnectionFailed += (_, e) =>
        {
            ScaleOutLog.ConnectionLost(logger, e.ConnectionType.ToString(), e.FailureType.ToString());
            _ = FollowTopologyAsync();
        };
        _redis.ConnectionRestored += (_, e) =>
        {
            ScaleOutLog.ConnectionRestored(logger, e.ConnectionType.ToString());
            Restored?.Invoke();
        };
    }

    /// <summary>
    /// A server was lost: on a cluster its replica may be promoted, which StackExchange.Redis learns
    /// only from a MOVED answer or a periodic check, and no command reaches the dead master to get
    /// one. So the topology is re-read every second (for at most five minutes) until every master
    /// it names is connected, and <see cref="Restored"/> is raised so subscriptions and rooms catch up.
    /// </summary>
    private async Task FollowTopologyAsync()
    {
        if (Interlocked.Exchange(ref _following, 1) == 1)
        {
            return;
        }

        try
        {
            for (var attempt = 0; attempt < 300 && !_disposed; attempt++)
            {
                await Task.Delay(1000);
                if (_redis is not { } redis || _disposed)
                {
                    return;
                }

                try
                {
                    await redis.ConfigureAsync();
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException or InvalidOperationException)
                {
                    continue;
                }

                if (AllSlotsServed(redis))
                {
                    Restored?.Invoke();
                    return;
                }
            }
        }
        finally
        {
            Volatile.Write(ref _following, 0);
        }
    }

    /// <summary>Every server is connected (one instance), or every master named by a connected node's cluster view (a cluster).</summary>
    private static bool AllSlotsServed(ConnectionMultiplexer redis)
    {
        var servers = redis.GetServers();
        var view = servers.FirstOrDefault(s => s.IsConnected && s.ServerType == ServerType.Cluster)?.ClusterConfiguration;
        if (view is null)
        {
            return servers.Length > 0 && servers.All(s => s.IsConnected);
        }

        return view.Nodes
            .Where(n => !n.IsReplica && n.Slots.Count > 0 && n.EndPoint is not null)
            .All(n => redis.GetServer(n.EndPoint!).IsConnected);
    }

    /// <summary>Runs <paramref name="last"/> (when still connected) and closes the connection.</summary>
    public void Close(Action<IDatabase>? last)
    {
        if (_redis is not { } redis)
        {
            return;
        }

        var connected = IsConnected;
        _disposed = true;
        if (connected && last is not null)
        {
            try
            {
                last(redis.GetDatabase());
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                ScaleOutLog.OperationFailed(logger, ex, "leave on stop");
            }
        }

        redis.Dispose();
    }

    public void Dispose() => Close(null);
}
