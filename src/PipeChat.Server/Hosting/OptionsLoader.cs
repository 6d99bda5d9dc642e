using PipeChat.Server.Configuration;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace PipeChat.Server.Hosting;

/// <summary>A setting with a bad value; the message names the setting and how to set it.</summary>
public sealed class ConfigurationException(string message) : Exception(message);

/// <summary>
/// Reads <see cref="ServerOptions"/> with the usual .NET precedence: appsettings.json, then
/// PIPECHAT_* environment variables, then command-line flags. Unknown flags and bad values stop
/// start-up with a message naming the setting.
/// </summary>
internal static class OptionsLoader
{
    /// <summary>Adds the environment and command-line sources mapped onto "PipeChat:*" keys.</summary>
    public static void AddPipeChatSources(IConfigurationBuilder builder, string[] args, IDictionary<string, string?>? environment = null)
    {
        var fromEnvironment = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        environment ??= ReadEnvironment();
        foreach (var setting in SettingsTable.All)
        {
            if (environment.TryGetValue(setting.EnvironmentVariable, out var value))
            {
                fromEnvironment[setting.ConfigKey] = value;
            }
        }

        builder.AddInMemoryCollection(fromEnvironment);
        builder.AddInMemoryCollection(ParseCommandLine(args));
    }

    /// <summary>Parses "--flag value" and "--flag=value"; boolean flags may stand alone.</summary>
    public static Dictionary<string, string?> ParseCommandLine(string[] args)
    {
        var result = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ConfigurationException($"unexpected argument '{arg}' (options look like --port 3001; see --help)");
            }

            string flag;
            string? value = null;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                flag = arg[..equals];
                value = arg[(equals + 1)..];
            }
            else
            {
                flag = arg;
            }

            var setting = Array.Find(SettingsTable.All, s => string.Equals(s.Flag, flag, StringComparison.OrdinalIgnoreCase))
                ?? throw new ConfigurationException($"unknown option '{flag}' (see --help for the list)");

            if (value is null)
            {
                var isBool = typeof(ServerOptions).GetProperty(setting.Name)!.PropertyType == typeof(bool);
                if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    value = args[++i];
                }
                else if (isBool)
                {
                    value = "true";
                }
                else
                {
                    throw new ConfigurationException($"option '{flag}' needs a value");
                }
            }

            result[setting.ConfigKey] = value;
        }

        return result;
    }

    /// <summary>Builds validated options from configuration.</summary>
    public static ServerOptions Load(IConfiguration configuration)
    {
        var options = new ServerOptions();
        foreach (var setting in SettingsTable.All)
        {
            var raw = configuration[setting.ConfigKey];
            if (raw is null)
            {
                continue;
            }

            var property = typeof(ServerOptions).GetProperty(setting.Name, BindingFlags.Public | BindingFlags.Instance)!;
            property.SetValue(options, Convert(setting, property.PropertyType, raw.Trim()));
        }

        Validate(options);
        return options;
    }

    private static object? Convert(Setting setting, Type type, string raw)
    {
        if (type == typeof(string))
        {
            return raw.Length == 0 ? null : raw;
        }

        if (type == typeof(int) && int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i))
        {
            return i;
        }

        if (type == typeof(long) && long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l))
        {
            return l;
        }

        if (type == typeof(double) && double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
        {
            return d;
        }

        if (type == typeof(bool) && bool.TryParse(raw, out var b))
        {
            return b;
        }

        var expected = type == typeof(bool) ? "true or false" : type == typeof(double) ? "a number" : "an integer";
        throw Bad(setting, raw, expected);
    }

    private static void Validate(ServerOptions o)
    {
        Range(nameof(o.Port), o.Port, 0, 65535);
        Range(nameof(o.HttpPort), o.HttpPort, 0, 65535);
        Range(nameof(o.ListenBacklog), o.ListenBacklog, 1, 65535);
        Range(nameof(o.MaxMessageBytes), o.MaxMessageBytes, 1, 1L << 31);
        Range(nameof(o.MaxRequestHeaderBytes), o.MaxRequestHeaderBytes, 512, 1024 * 1024);
        Range(nameof(o.DeflateThresholdBytes), o.DeflateThresholdBytes, 0, int.MaxValue);
        Range(nameof(o.DeflateLevel), o.DeflateLevel, 1, 9);
        Range(nameof(o.DeflateWindowBits), o.DeflateWindowBits, 8, 15);
        Range(nameof(o.HandshakeTimeoutSeconds), o.HandshakeTimeoutSeconds, 0.1, 3600);
        Range(nameof(o.PingIntervalSeconds), o.PingIntervalSeconds, 0.5, 3600);
        Range(nameof(o.CloseTimeoutSeconds), o.CloseTimeoutSeconds, 0.1, 600);
        Range(nameof(o.MaxQueuedBytes), o.MaxQueuedBytes, 1024, 1L << 32);
        Range(nameof(o.ThinAfterBytes), o.ThinAfterBytes, 0, 1L << 32);
        Range(nameof(o.RoomMaxRate), o.RoomMaxRate, 0, 10_000_000);
        Range(nameof(o.RoomHighShare), o.RoomHighShare, 0, 1);
        Range(nameof(o.CounterIntervalMs), o.CounterIntervalMs, 50, 3_600_000);
        Range(nameof(o.ShutdownTimeoutSeconds), o.ShutdownTimeoutSeconds, 0, 3600);
        Range(nameof(o.MaxConnectionsPerUser), o.MaxConnectionsPerUser, 1, 100_000);
        Range(nameof(o.MaxRoomsPerConnection), o.MaxRoomsPerConnection, 1, 100_000);
        Range(nameof(o.MaxRoomMembers), o.MaxRoomMembers, 1, 10_000_000);
        Range(nameof(o.PresenceLimit), o.PresenceLimit, 0, 10_000_000);
        Range(nameof(o.QueryMaxMembers), o.QueryMaxMembers, 0, 100_000);
        Range(nameof(o.MaxChatPayloadBytes), o.MaxChatPayloadBytes, 64, int.MaxValue);
        Range(nameof(o.RateLimitPerSecond), o.RateLimitPerSecond, 0, 1_000_000);
        Range(nameof(o.RateLimitBurst), o.RateLimitBurst, 1, 1_000_000);
        Range(nameof(o.MaxConnectionsPerIp), o.MaxConnectionsPerIp, 0, 10_000_000);
        Range(nameof(o.HistorySize), o.HistorySize, 0, 100_000);
        Range(nameof(o.HistorySeconds), o.HistorySeconds, 1, 30 * 86400);
        Range(nameof(o.RedisPresenceSeconds), o.RedisPresenceSeconds, 1, 3600);
        Range(nameof(o.RedisWaitReplicas), o.RedisWaitReplicas, 0, 16);
        Range(nameof(o.PresenceGraceSeconds), o.PresenceGraceSeconds, 0, 3600);
        Range(nameof(o.ApiMaxBodyBytes), o.ApiMaxBodyBytes, 64, 64 * 1024 * 1024);
        Range(nameof(o.TrimAfterConnects), o.TrimAfterConnects, 0, 100_000_000);
        Range(nameof(o.TlsReloadSeconds), o.TlsReloadSeconds, 0, 86_400);

        if (!Enum.TryParse<Microsoft.Extensions.Logging.LogLevel>(o.LogLevel, ignoreCase: true, out _) || int.TryParse(o.LogLevel, out _))
        {
            throw Bad(Find(nameof(o.LogLevel)), o.LogLevel, "trace, debug, information, warning, error, critical or none");
        }

        if (o.LogFormat is not ("text" or "json"))
        {
            throw Bad(Find(nameof(o.LogFormat)), o.LogFormat, "text or json");
        }

        Range(nameof(o.PublishHookTimeoutMs), o.PublishHookTimeoutMs, 1, 60_000);
        if (o.WordAction is not ("mask" or "block"))
        {
            throw Bad(Find(nameof(o.WordAction)), o.WordAction, "mask or block");
        }

        if (o.PublishHookFailure is not ("open" or "closed"))
        {
            throw Bad(Find(nameof(o.PublishHookFailure)), o.PublishHookFailure, "open or closed");
        }

        if (o.WordList is { } words && !File.Exists(words))
        {
            throw Bad(Find(nameof(o.WordList)), words, "an existing UTF-8 file, one word or phrase a line");
        }

        if (o.PublishHook is { } hook
            && !(Uri.TryCreate(hook, UriKind.Absolute, out var hookUri) && (hookUri.Scheme == Uri.UriSchemeHttp || hookUri.Scheme == Uri.UriSchemeHttps)))
        {
            throw Bad(Find(nameof(o.PublishHook)), hook, "an absolute http:// or https:// URL");
        }

        if (o.Transport is not ("pipechat" or "kestrel"))
        {
            throw Bad(Find(nameof(o.Transport)), o.Transport, "pipechat or kestrel");
        }

        if (o.Bind is not ("any" or "loopback") && !System.Net.IPAddress.TryParse(o.Bind, out _))
        {
            throw Bad(Find(nameof(o.Bind)), o.Bind, "any, loopback or an IP address");
        }

        if (o.HttpBind is not ("any" or "loopback" or "off") && !System.Net.IPAddress.TryParse(o.HttpBind, out _))
        {
            throw Bad(Find(nameof(o.HttpBind)), o.HttpBind, "loopback, any, an IP address or off");
        }

        if (o.HttpBind != "off" && o.HttpPort != 0 && o.HttpPort == o.Port)
        {
            var s = Find(nameof(o.HttpPort));
            throw new ConfigurationException($"{s.Flag} ({s.EnvironmentVariable}) must differ from --port ({o.Port}): the HTTP endpoint has a port of its own (--http-bind off turns it off)");
        }

        if ((o.TlsCert is null) != (o.TlsKey is null))
        {
            throw new ConfigurationException("--tls-cert and --tls-key must be given together (PIPECHAT_TLS_CERT / PIPECHAT_TLS_KEY)");
        }

        foreach (var (name, path) in new[] { (nameof(o.TlsCert), o.TlsCert), (nameof(o.TlsKey), o.TlsKey) })
        {
            if (path is not null && !File.Exists(path))
            {
                throw Bad(Find(name), path, "an existing PEM file");
            }
        }

        if (o.EchoPath is { } echo && (!echo.StartsWith('/') || echo.Length < 2))
        {
            throw Bad(Find(nameof(o.EchoPath)), echo, "a path starting with '/', e.g. /echo");
        }

        if (o.AuthSecret is { } secret && System.Text.Encoding.UTF8.GetByteCount(secret) < 32)
        {
            var s = Find(nameof(o.AuthSecret));
            throw new ConfigurationException($"{s.Flag} ({s.EnvironmentVariable}) must be at least 32 bytes: HS256 needs a 256-bit key");
        }

        if (!TrustedProxies.TryParse(o.TrustedProxies, out _, out var badProxy))
        {
            throw Bad(Find(nameof(o.TrustedProxies)), badProxy, "comma-separated IP addresses or CIDRs (e.g. 127.0.0.1,10.0.0.0/8,fd00::/8; host bits of a CIDR zero)");
        }

        if (o.ApiKey is { } apiKey && (System.Text.Encoding.UTF8.GetByteCount(apiKey) < 16 || apiKey.Any(c => c <= ' ' || c > '~')))
        {
            var s = Find(nameof(o.ApiKey));
            throw new ConfigurationException($"{s.Flag} ({s.EnvironmentVariable}) must be at least 16 printable ASCII characters without spaces (it travels in an HTTP header)");
        }
    }

    private static void Range(string name, double value, double min, double max)
    {
        if (value < min || value > max)
        {
            throw Bad(Find(name), value.ToString(CultureInfo.InvariantCulture), $"a value from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
        }
    }

    private static Setting Find(string name) => Array.Find(SettingsTable.All, s => s.Name == name)!;

    private static ConfigurationException Bad(Setting setting, string raw, string expected)
        => new($"invalid value '{raw}' for {setting.Flag} ({setting.EnvironmentVariable}, {setting.ConfigKey} in appsettings.json): expected {expected}");

    private static Dictionary<string, string?> ReadEnvironment()
    {
        var result = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && key.StartsWith("PIPECHAT_", StringComparison.OrdinalIgnoreCase))
            {
                result[key] = entry.Value as string;
            }
        }

        return result;
    }
}
