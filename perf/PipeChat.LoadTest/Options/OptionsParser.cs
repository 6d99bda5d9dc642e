using System.Globalization;
using System.Net;

namespace PipeChat.LoadTest.Options;

/// <summary>Command line → <see cref="LoadTestOptions"/>, scenario defaults, caps and the loopback-only rule.</summary>
public static class OptionsParser
{
    public const string Usage = """
        PipeChat.LoadTest — load generator for PipeChat (and the comparison peers)

        usage: PipeChat.LoadTest <scenario> [options]
          scenarios: connect | fanout | private | echo | churn | live | soak | api

          --url ws://127.0.0.1:3001/     target (ws:// or wss://; loopback 127.0.0.0/8 or ::1 only)
          --connections N                connect/private/echo: connections (private: 2 per pair)
          --rooms R --members M          fanout/churn/live: R rooms of M members
          --senders S                    senders per room
          --rate X                       total messages/s over all senders (0 = open loop)
          --window W                     messages a sender may have in flight
          --payload BYTES                padding per message payload
          --duration SECONDS             measured phase (connect: hold time)
          --warmup SECONDS               load before the measured phase (not counted)
          --drain SECONDS                longest wait for in-flight messages after senders stop
          --setup-timeout SECONDS        longest time to connect and join
          --connect-rate N               connections/s while ramping (0 = as fast as possible)
          --connect-concurrency N        connection attempts in progress at once
          --connect-timeout SECONDS      longest connect + upgrade (default 10)
          --churn-rate N                 churn: connects/s   --churn-hold-ms MS   --churn-max-open N
          --slow-readers N               fanout/live/soak: N extra members that join, then never read (soak: per batch)
          --slow-reader-buffer BYTES     slow reader socket receive buffer (default 4096)
          --slow-reader-interval SECONDS soak: new slow-reader batch this often (default 60)
          --abuse-interval SECONDS       soak: one malformed client of each kind this often (default 5)
          --sample-interval SECONDS      soak: RSS/CPU/count sample interval (default 60)
          --api-key KEY                  api: the server's --api-key (senders POST /api/publish over kept-alive connections)
          --api-url URL                  api: the server's HTTP port (default http://<--url host>:3002/)
          --max-message-bytes N          the server's --max-message-bytes (default 1048576)
          --max-chat-payload-bytes N     the server's --max-chat-payload-bytes (default 65536)
          --processes N                  split connections over N child processes
          --server-pid PID               sample the server's RSS and CPU from /proc
          --report-dir DIR               report folder root (default reports); --no-report for none
          --summary FILE                 also write the summary JSON here
          --target NAME                  label for the report (pipechat, aspnetcore, node-ws)
          --id-prefix P                  user id prefix (default lt)
          --no-spread                    do not spread source addresses over 127.0.0.2-251
          --recv-buffer BYTES            receive buffer per connection (default 8192)
          --receive async|poll           async (default): the runtime's socket engine reads; poll: one thread polls every
                                         socket (epoll, zero timeout while frames arrive), so the server's loopback sends
                                         need not wake a sleeping reader (ws:// on Linux x64; connect and upgrade block)
          --deflate                      offer permessage-deflate (the upgrade fails if the server declines); decompress what arrives
          --protocol chat|verbatim       chat (default): join each room and wait for joined; verbatim: a server that sends
                                         every message back unchanged (to all connections, or to the sender for echo), e.g.
                                         the uWebSockets peer; members count as joined once open. fanout/live with one room,
                                         echo (against an echoing server) and connect only
          --chat-text                    pad payloads with chat-like text (for compression runs) instead of 'x'
          --quiet                        no progress line
        """;

    public static bool TryParse(string[] args, out LoadTestOptions options, out string? error)
    {
        ArgumentNullException.ThrowIfNull(args);
        options = new LoadTestOptions();
        error = null;
        var rate = double.NaN;
        var window = 0;
        var durationSet = false;
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                var arg = args[i];
                string Next() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{arg} needs a value");
                switch (arg)
                {
                    case "-h" or "--help":
                        error = Usage;
                        return false;
                    case "--scenario":
                        options.Scenario = ParseScenario(Next());
                        break;
                    case "--url":
                        options.Url = new Uri(Next());
                        break;
                    case "--connections":
                        options.Connections = Int(Next());
                        break;
                    case "--rooms":
                        options.Rooms = Int(Next());
                        break;
                    case "--members":
                        options.Members = Int(Next());
                        break;
                    case "--senders":
                        options.Senders = Int(Next());
                        break;
                    case "--rate":
                        rate = Double(Next());
                        break;
                    case "--window":
                        window = Int(Next());
                        break;
                    case "--payload":
                        options.PayloadBytes = Int(Next());
                        break;
                    case "--duration":
                        options.Duration = Seconds(Next());
                        durationSet = true;
                        break;
                    case "--warmup":
                        options.Warmup = Seconds(Next());
                        break;
                    case "--drain":
                        options.Drain = Seconds(Next());
                        break;
                    case "--setup-timeout":
                        options.SetupTimeout = Seconds(Next());
                        break;
                    case "--connect-rate":
                        options.ConnectRate = Double(Next());
                        break;
                    case "--connect-timeout":
                        options.ConnectTimeout = Seconds(Next());
                        break;
                    case "--connect-concurrency":
                        options.ConnectConcurrency = Int(Next());
                        break;
                    case "--churn-rate":
                        options.ChurnRate = Double(Next());
                        break;
                    case "--churn-hold-ms":
                        options.ChurnHold = TimeSpan.FromMilliseconds(Double(Next()));
                        break;
                    case "--churn-max-open":
                        options.ChurnMaxOpen = Int(Next());
                        break;
                    case "--slow-readers":
                        options.SlowReaders = Int(Next());
                        break;
                    case "--slow-reader-buffer":
                        options.SlowReaderBufferBytes = Int(Next());
                        break;
                    case "--slow-reader-interval":
                        options.SlowReaderInterval = Seconds(Next());
                        break;
                    case "--abuse-interval":
                        options.AbuseInterval = Seconds(Next());
                        break;
                    case "--sample-interval":
                        options.SampleInterval = Seconds(Next());
                        break;
                    case "--api-key":
                        options.ApiKey = Next();
                        break;
                    case "--api-url":
                        options.ApiUrl = Next();
                        break;
                    case "--max-message-bytes":
                        options.ServerMaxMessageBytes = long.Parse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture);
                        break;
                    case "--max-chat-payload-bytes":
                        options.ServerMaxChatPayloadBytes = Int(Next());
                        break;
                    case "--processes":
                        options.Processes = Int(Next());
                        break;
                    case "--child-index":
                        options.ChildIndex = Int(Next());
                        break;
                    case "--child-count":
                        options.ChildCount = Int(Next());
                        break;
                    case "--server-pid":
                        options.ServerPid = Int(Next());
                        break;
                    case "--report-dir":
                        options.ReportRoot = Next();
                        break;
                    case "--no-report":
                        options.ReportRoot = null;
                        break;
                    case "--summary":
                        options.SummaryPath = Next();
                        break;
                    case "--target":
                        options.Target = Next();
                        break;
                    case "--id-prefix":
                        options.IdPrefix = Next();
                        break;
                    case "--no-spread":
                        options.SpreadSources = false;
                        break;
                    case "--recv-buffer":
                        options.ReceiveBufferBytes = Int(Next());
                        break;
                    case "--quiet":
                        options.Progress = false;
                        break;
                    case "--deflate":
                        options.Deflate = true;
                        break;
                    case "--receive":
                        options.PollReceive = Next() switch
                        {
                            "async" => false,
                            "poll" => true,
                            var other => throw new FormatException($"--receive must be async or poll, not {other}"),
                        };
                        break;
                    case "--protocol":
                        options.Protocol = Next() switch
                        {
                            "chat" => ServerProtocol.Chat,
                            "verbatim" => ServerProtocol.Verbatim,
                            var other => throw new FormatException($"--protocol must be chat or verbatim, not {other}"),
                        };
                        break;
                    case "--chat-text":
                        options.ChatText = true;
                        break;
                    default:
                        if (i == 0 && !arg.StartsWith('-'))
                        {
                            options.Scenario = ParseScenario(arg);
                            break;
                        }

                        throw new FormatException($"unknown option {arg}");
                }
            }

            ApplyDefaults(options, rate, window, durationSet);
            error = Validate(options);
            return error is null;
        }
        catch (FormatException e)
        {
            error = e.Message;
            return false;
        }
    }

    /// <summary>Fills what the command line left unset with the scenario's defaults.</summary>
    public static void ApplyDefaults(LoadTestOptions options, double rate = double.NaN, int window = 0, bool durationSet = true)
    {
        ArgumentNullException.ThrowIfNull(options);
        static int Or(int value, int fallback) => value > 0 ? value : fallback;
        switch (options.Scenario)
        {
            case Scenario.Connect:
                options.Connections = Or(options.Connections, 1_000);
                break;
            case Scenario.Fanout:
                options.Rooms = Or(options.Rooms, 1);
                options.Members = Or(options.Members, 100);
                options.Senders = Or(options.Senders, 1);
                options.Window = Or(window, 32);
                options.Rate = double.IsNaN(rate) ? 0 : rate;
                break;
            case Scenario.Private:
                options.Connections = Or(options.Connections, 100) & ~1;
                options.Window = Or(window, 4);
                options.Rate = double.IsNaN(rate) ? 0 : rate;
                break;
            case Scenario.Echo:
                options.Connections = Or(options.Connections, 32);
                options.Rooms = options.Connections;
                options.Members = 1;
                options.Senders = 1;
                options.Window = Or(window, 1);
                options.Rate = double.IsNaN(rate) ? 0 : rate;
                break;
            case Scenario.Churn:
                options.Rooms = Or(options.Rooms, 10);
                options.Members = Or(options.Members, 20);
                options.Senders = Or(options.Senders, 1);
                options.Window = Or(window, 256);
                options.Rate = double.IsNaN(rate) ? 200 : rate;
                break;
            case Scenario.Live:
                options.Rooms = Or(options.Rooms, 1);
                options.Members = Or(options.Members, 1_000);
                options.Senders = Or(options.Senders, 2);
                options.Window = Or(window, 4_096);
                options.Rate = double.IsNaN(rate) ? 20 : rate;
                break;
            case Scenario.Api:
                options.Rooms = 1;
                options.Members = Or(options.Members, 1_000);
                options.Senders = Or(options.Senders, 8);
                options.Window = 1;
                options.Rate = double.IsNaN(rate) ? 0 : rate;
                break;
            case Scenario.Soak:
                options.Rooms = Or(options.Rooms, 4);
                options.Members = Or(options.Members, 25);
                options.Senders = Or(options.Senders, 2);
                options.Window = Or(window, 256);
                options.Rate = double.IsNaN(rate) ? 200 : rate;
                options.SlowReaders = options.SlowReaders > 0 ? options.SlowReaders : 50;
                if (!durationSet)
                {
                    options.Duration = TimeSpan.FromSeconds(1_800);
                }

                break;
        }

        if (options.Scenario != Scenario.Api)
        {
            options.Senders = Math.Min(options.Senders, Math.Max(options.Members, 1));
        }
    }

    /// <summary>Caps every loop and refuses any target that is not loopback.</summary>
    public static string? Validate(LoadTestOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Url.Scheme is not ("ws" or "wss"))
        {
            return "--url must be ws:// or wss://";
        }

        if (!IsLoopback(options.Url))
        {
            return $"refusing target {options.Url.Host}: only loopback (127.0.0.0/8, ::1, localhost) is allowed";
        }

        if (options.TotalMembers <= 0 || options.TotalMembers > LoadTestOptions.MaxConnectionsCap)
        {
            return $"connections must be between 1 and {LoadTestOptions.MaxConnectionsCap}";
        }

        if (options.Duration <= TimeSpan.Zero || options.Duration.TotalSeconds > LoadTestOptions.MaxDurationSeconds
            || options.Warmup < TimeSpan.Zero || options.Warmup.TotalSeconds > 600 || options.Drain < TimeSpan.Zero || options.Drain.TotalSeconds > 600
            || options.ConnectTimeout <= TimeSpan.Zero || options.ConnectTimeout.TotalSeconds > 120 || options.SetupTimeout <= TimeSpan.Zero || options.SetupTimeout.TotalSeconds > 600)
        {
            return $"--duration must be in (0, {LoadTestOptions.MaxDurationSeconds}] s; --drain and --setup-timeout at most 600 s";
        }

        if (options.Rate < 0 || options.Rate > LoadTestOptions.MaxRate || options.ConnectRate < 0 || options.ConnectRate > LoadTestOptions.MaxRate
            || options.ChurnRate < 0 || options.ChurnRate > 100_000)
        {
            return "rates must be non-negative and bounded (messages 10M/s, churn 100k/s)";
        }

        if (options.Window is < 0 or > 1_000_000 || options.PayloadBytes is < 0 or > 60_000 || options.ConnectConcurrency is < 1 or > 100_000
            || options.ChurnMaxOpen is < 1 or > 100_000 || options.ReceiveBufferBytes is < 512 or > 1 << 20)
        {
            return "window, payload, concurrency or buffer size out of range";
        }

        if (options.Processes is < 1 or > 64 || options.ChildCount < 1 || options.ChildIndex >= options.ChildCount)
        {
            return "--processes must be 1 to 64";
        }

        if (options.SlowReaders is < 0 or > 20_000 || options.SlowReaderBufferBytes is < 256 or > 1 << 20
            || options.SlowReaderInterval < TimeSpan.FromSeconds(0.5) || options.AbuseInterval < TimeSpan.FromSeconds(0.1) || options.SampleInterval < TimeSpan.FromSeconds(0.5)
            || options.ServerMaxMessageBytes is < 256 or > 64 * 1024 * 1024 || options.ServerMaxChatPayloadBytes < 64)
        {
            return "slow readers (0 to 20000), their buffer, intervals or server limits out of range";
        }

        if (options.PollReceive && (options.UsesTls || !Client.PollReceiver.IsSupported))
        {
            return "--receive poll needs ws:// and Linux on x64";
        }

        if (options.Scenario == Scenario.Api && (options.Processes > 1 || options.UsesTls || options.ApiKey.Length == 0 || options.Senders is < 1 or > 1_000))
        {
            return "api needs --api-key, ws://, one process and 1 to 1000 senders";
        }

        if (options.ApiUrl.Length > 0 && !(Uri.TryCreate(options.ApiUrl, UriKind.Absolute, out var apiUrl) && apiUrl.Scheme is "http" or "https"))
        {
            return "--api-url must be an http:// or https:// URL";
        }

        if (options.HasAbuse && (options.Processes > 1 || options.UsesTls || options.Scenario is not (Scenario.Fanout or Scenario.Live or Scenario.Soak)))
        {
            return "--slow-readers and soak need fanout, live or soak, one process, ws://";
        }

        if (options.Protocol == ServerProtocol.Verbatim
            && (options.HasAbuse || options.Scenario is not (Scenario.Connect or Scenario.Echo or Scenario.Fanout or Scenario.Live)
                || (options.Scenario is Scenario.Fanout or Scenario.Live && options.Rooms != 1)))
        {
            return "--protocol verbatim runs fanout or live with one room (--rooms 1), echo and connect, without slow readers: a server that returns every message to everyone has no rooms, private messages or joins";
        }

        return null;
    }

    public static bool IsLoopback(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (url.IsLoopback && url.Host is "localhost")
        {
            return true;
        }

        return IPAddress.TryParse(url.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
    }

    private static Scenario ParseScenario(string value)
        => Enum.TryParse<Scenario>(value, ignoreCase: true, out var scenario) && !int.TryParse(value, out _)
            ? scenario
            : throw new FormatException($"unknown scenario {value}");

    private static int Int(string value) => int.Parse(value, NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static double Double(string value) => double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static TimeSpan Seconds(string value)
    {
        var trimmed = value.TrimEnd('s');
        return value.EndsWith("ms", StringComparison.Ordinal)
            ? TimeSpan.FromMilliseconds(Double(value[..^2]))
            : value.EndsWith('m') ? TimeSpan.FromMinutes(Double(value[..^1])) : TimeSpan.FromSeconds(Double(trimmed));
    }
}
