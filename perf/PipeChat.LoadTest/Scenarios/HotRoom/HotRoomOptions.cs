using System.Globalization;

namespace PipeChat.LoadTest.Scenarios.HotRoom;

/// <summary>
/// The hot-room scenario's settings (docs/performance.md, "Live rooms under overload"): one room of
/// <see cref="Members"/> members; <see cref="LowSenders"/> members send low-priority comments and
/// <see cref="NormalSenders"/> normal ones at <see cref="SenderRate"/> a second each; one host sends
/// <see cref="HostRate"/> high-priority messages a second (named host through the server API);
/// <see cref="ThrottledReaders"/> members read at most <see cref="ThrottledRate"/> messages a second.
/// </summary>
internal sealed class HotRoomOptions
{
    public const string Usage = """
        usage: PipeChat.LoadTest hot-room --url ws://127.0.0.1:3001/ --api http://127.0.0.1:3002 --api-key KEY
                 [--members 10000] [--low-senders 1000] [--normal-senders 100] [--sender-rate 1]
                 [--host-rate 2] [--throttled 500] [--throttled-rate 20] [--duration 60] [--warmup 5]
                 [--server-pid PID] [--room hot] [--connect-concurrency 64] [--label TEXT]
        """;

    public Uri Url { get; set; } = new("ws://127.0.0.1:3001/");

    public Uri Api { get; set; } = new("http://127.0.0.1:3002");

    public string ApiKey { get; set; } = "";

    public int Members { get; set; } = 10_000;

    public int LowSenders { get; set; } = 1_000;

    public int NormalSenders { get; set; } = 100;

    public double SenderRate { get; set; } = 1;

    public double HostRate { get; set; } = 2;

    public int ThrottledReaders { get; set; } = 500;

    public double ThrottledRate { get; set; } = 20;

    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(60);

    public TimeSpan Warmup { get; set; } = TimeSpan.FromSeconds(5);

    public int? ServerPid { get; set; }

    public string Room { get; set; } = "hot";

    public int ConnectConcurrency { get; set; } = 64;

    public string Label { get; set; } = "";

    public static bool TryParse(string[] args, out HotRoomOptions options, out string error)
    {
        options = new HotRoomOptions();
        error = "";
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
            {
                error = Usage;
                return false;
            }

            if (i + 1 >= args.Length)
            {
                error = $"{name} needs a value\n{Usage}";
                return false;
            }

            var value = args[++i];
            try
            {
                switch (name)
                {
                    case "--url": options.Url = new Uri(value); break;
                    case "--api": options.Api = new Uri(value); break;
                    case "--api-key": options.ApiKey = value; break;
                    case "--members": options.Members = Int(value); break;
                    case "--low-senders": options.LowSenders = Int(value); break;
                    case "--normal-senders": options.NormalSenders = Int(value); break;
                    case "--sender-rate": options.SenderRate = Num(value); break;
                    case "--host-rate": options.HostRate = Num(value); break;
                    case "--throttled": options.ThrottledReaders = Int(value); break;
                    case "--throttled-rate": options.ThrottledRate = Num(value); break;
                    case "--duration": options.Duration = TimeSpan.FromSeconds(Num(value)); break;
                    case "--warmup": options.Warmup = TimeSpan.FromSeconds(Num(value)); break;
                    case "--server-pid": options.ServerPid = Int(value); break;
                    case "--room": options.Room = value; break;
                    case "--connect-concurrency": options.ConnectConcurrency = Int(value); break;
                    case "--label": options.Label = value; break;
                    default:
                        error = $"unknown option {name}\n{Usage}";
                        return false;
                }
            }
            catch (FormatException)
            {
                error = $"{name}: '{value}' is not a number";
                return false;
            }
        }

        if (options.Members < 2 || options.LowSenders + options.NormalSenders + 1 + options.ThrottledReaders > options.Members)
        {
            error = "--members must hold the senders, the host and the throttled readers (each is a different member)";
            return false;
        }

        if (options.ApiKey.Length == 0)
        {
            error = "--api-key is needed: the host is named through the server API (/api/room-host)";
            return false;
        }

        if (options.Duration <= TimeSpan.Zero || options.Duration > TimeSpan.FromHours(1) || options.SenderRate <= 0 || options.HostRate <= 0 || options.ThrottledRate <= 0)
        {
            error = "--duration (up to 3600 s) and the rates must be positive";
            return false;
        }

        return true;
    }

    private static int Int(string value) => int.Parse(value, NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static double Num(string value) => double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);
}
