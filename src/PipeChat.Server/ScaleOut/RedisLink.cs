using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace PipeChat.Server.ScaleOut;

/// <summary>
/// The node's connection to Redis: connects without failing when Redis is down (StackExchange.Redis
/// keeps retrying), fails commands fast while it is away, and says when it came back.
/// </summary>
internal sealed class RedisLink(RedisSettings settings, ILogger logger) : IDisposable
{
    private ConnectionMultiplexer? _redis;
    private volatile bool _disposed;

    /// <summary>This process's id in Redis (presence keys).</summary>
    public string NodeId { get; } = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));

    /// <summary>Whether commands can reach Redis now.</summary>
    public bool IsConnected => !_disposed && _redis is { IsConnected: true };

    public IDatabase Db => _redis!.GetDatabase();

    public ISubscriber Subscriber => _redis!.GetSubscriber();

    public ILogger Logger => logger;

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
        _redis.ConnectionFailed += (_, e) => ScaleOutLog.ConnectionLost(logger, e.ConnectionType.ToString(), e.FailureType.ToString());
        _redis.ConnectionRestored += (_, e) =>
        {
            ScaleOutLog.ConnectionRestored(logger, e.ConnectionType.ToString());
            Restored?.Invoke();
        };
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
