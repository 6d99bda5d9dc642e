namespace PipeChat.LoadTest.Options;

/// <summary>Everything one run needs. <see cref="OptionsParser"/> fills it from the command line and applies scenario defaults.</summary>
public sealed class LoadTestOptions
{
    /// <summary>Hard caps: every loop the tool runs is bounded by these whatever the command line says.</summary>
    public const int MaxConnectionsCap = 200_000;
    public const double MaxDurationSeconds = 3_600;
    public const double MaxRate = 10_000_000;

    public Scenario Scenario { get; set; } = Scenario.Fanout;

    /// <summary>ws:// or wss:// base URL; the user id is appended as the path. Loopback only.</summary>
    public Uri Url { get; set; } = new("ws://127.0.0.1:3001/");

    /// <summary>connect / private / echo: number of connections (private: 2 per pair).</summary>
    public int Connections { get; set; }

    public int Rooms { get; set; }

    public int Members { get; set; }

    /// <summary>Senders per room.</summary>
    public int Senders { get; set; }

    /// <summary>Total messages per second over all senders; 0 = open loop limited by <see cref="Window"/>.</summary>
    public double Rate { get; set; }

    /// <summary>Messages a sender may have in flight (sent, not yet seen back).</summary>
    public int Window { get; set; }

    /// <summary>Padding bytes added to each message payload.</summary>
    public int PayloadBytes { get; set; } = 32;

    /// <summary>Length of the measured phase (connect: how long the connections are held).</summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Load before the measured phase (not counted in throughput or latency): lets both sides' JIT settle.</summary>
    public TimeSpan Warmup { get; set; } = TimeSpan.Zero;

    /// <summary>Longest wait after the senders stop for messages still in flight.</summary>
    public TimeSpan Drain { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Longest time for establishing connections and joining rooms.</summary>
    public TimeSpan SetupTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>New connections per second while ramping up; 0 = as fast as <see cref="ConnectConcurrency"/> allows.</summary>
    public double ConnectRate { get; set; }

    /// <summary>Longest time for one TCP connect + TLS + upgrade.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Connection attempts in progress at once.</summary>
    public int ConnectConcurrency { get; set; } = 128;

    /// <summary>churn: connections opened (and later closed) per second.</summary>
    public double ChurnRate { get; set; } = 100;

    /// <summary>churn: how long each churning connection stays open after joining.</summary>
    public TimeSpan ChurnHold { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>churn: most churning connections open at once (the loop skips a slot beyond it).</summary>
    public int ChurnMaxOpen { get; set; } = 4_000;

    /// <summary>Split the connections over this many child processes (each under its open-file limit).</summary>
    public int Processes { get; set; } = 1;

    /// <summary>Set in child processes: which slice of the connections this process owns.</summary>
    public int ChildIndex { get; set; } = -1;

    public int ChildCount { get; set; } = 1;

    /// <summary>Server process to sample (RSS, CPU) from /proc.</summary>
    public int? ServerPid { get; set; }

    /// <summary>Folder under which reports/&lt;scenario&gt;-&lt;timestamp&gt;/ is written; null = no report files.</summary>
    public string? ReportRoot { get; set; } = "reports";

    /// <summary>Prefix of every user id, so concurrent runs do not collide.</summary>
    public string IdPrefix { get; set; } = "lt";

    /// <summary>Spread client source addresses over 127.0.0.2–251 (IPv4 loopback targets only).</summary>
    public bool SpreadSources { get; set; } = true;

    /// <summary>Receive buffer per connection.</summary>
    public int ReceiveBufferBytes { get; set; } = 8 * 1024;

    /// <summary>
    /// Read every connection's socket on one polling thread (<see cref="Client.PollReceiver"/>) instead of the
    /// runtime's socket engine, whose sleeping receive thread each loopback send has to wake.
    /// </summary>
    public bool PollReceive { get; set; }

    /// <summary>Offer permessage-deflate (and require it): received compressed messages are decompressed; sent ones go uncompressed.</summary>
    public bool Deflate { get; set; }

    /// <summary>Fill the payload padding with chat-like text (Chinese, English, emoji) instead of 'x': what compression sees in real rooms.</summary>
    public bool ChatText { get; set; }

    /// <summary>Chat (join, then room messages in PipeChat's envelope) or verbatim (no join; messages come back unchanged).</summary>
    public ServerProtocol Protocol { get; set; } = ServerProtocol.Chat;

    /// <summary>Print the per-second progress line.</summary>
    public bool Progress { get; set; } = true;

    /// <summary>Label stored in the report (e.g. "pipechat", "aspnetcore", "node-ws").</summary>
    public string Target { get; set; } = "server";

    /// <summary>Write the machine-readable summary (summary.json) to this path as well.</summary>
    public string? SummaryPath { get; set; }

    /// <summary>fanout/live/soak: extra room members that join and then never read (soak: per batch).</summary>
    public int SlowReaders { get; set; }

    /// <summary>Socket receive buffer of a slow reader.</summary>
    public int SlowReaderBufferBytes { get; set; } = 4096;

    /// <summary>soak: a new slow-reader batch this often (the previous batch is checked and closed).</summary>
    public TimeSpan SlowReaderInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>soak: one malformed client of each kind this often.</summary>
    public TimeSpan AbuseInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>soak / slow readers: how often the soak sample (RSS, CPU, counts) is taken.</summary>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The server's --max-message-bytes (oversized frames are one byte over it).</summary>
    public long ServerMaxMessageBytes { get; set; } = 1024 * 1024;

    /// <summary>The server's --max-chat-payload-bytes (too_large requests are just over it).</summary>
    public int ServerMaxChatPayloadBytes { get; set; } = 64 * 1024;

    /// <summary>api: the server's --api-key.</summary>
    public string ApiKey { get; set; } = "";

    /// <summary>api: the server's HTTP port (--http-port) as a base URL; empty: port 3002 on the --url host.</summary>
    public string ApiUrl { get; set; } = "";

    /// <summary>Slow readers or malformed clients take part.</summary>
    public bool HasAbuse => SlowReaders > 0 || Scenario == Scenario.Soak;

    public bool IsChild => ChildIndex >= 0;

    /// <summary>Rooms, members and senders as the scenario lays them out (echo: one room per connection; private: pairs).</summary>
    public int TotalMembers => Scenario switch
    {
        Scenario.Connect or Scenario.Private => Connections,
        _ => Rooms * Members,
    };

    public bool UsesTls => Url.Scheme == "wss";

    public LoadTestOptions Clone() => (LoadTestOptions)MemberwiseClone();
}
