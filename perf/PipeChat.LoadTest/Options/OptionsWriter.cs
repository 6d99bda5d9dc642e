using System.Globalization;

namespace PipeChat.LoadTest.Options;

/// <summary>Options → command line, so a parent process can hand its exact settings to its children.</summary>
internal static class OptionsWriter
{
    public static List<string> ToArgs(LoadTestOptions o)
    {
        var inv = CultureInfo.InvariantCulture;
        string D(double v) => v.ToString("R", inv);
        string I(int v) => v.ToString(inv);
        var args = new List<string>
        {
            o.Scenario.ToString().ToLowerInvariant(),
            "--url", o.Url.ToString(),
            "--connections", I(o.Connections),
            "--rooms", I(o.Rooms),
            "--members", I(o.Members),
            "--senders", I(o.Senders),
            "--rate", D(o.Rate),
            "--window", I(o.Window),
            "--payload", I(o.PayloadBytes),
            "--duration", D(o.Duration.TotalSeconds),
            "--drain", D(o.Drain.TotalSeconds),
            "--warmup", D(o.Warmup.TotalSeconds),
            "--setup-timeout", D(o.SetupTimeout.TotalSeconds),
            "--connect-rate", D(o.ConnectRate),
            "--connect-concurrency", I(o.ConnectConcurrency),
            "--connect-timeout", D(o.ConnectTimeout.TotalSeconds),
            "--churn-rate", D(o.ChurnRate),
            "--churn-hold-ms", D(o.ChurnHold.TotalMilliseconds),
            "--churn-max-open", I(o.ChurnMaxOpen),
            "--id-prefix", o.IdPrefix,
            "--recv-buffer", I(o.ReceiveBufferBytes),
            "--target", o.Target,
            "--processes", I(o.Processes),
        };
        if (!o.SpreadSources)
        {
            args.Add("--no-spread");
        }

        if (o.Deflate)
        {
            args.Add("--deflate");
        }

        if (o.PollReceive)
        {
            args.AddRange(["--receive", "poll"]);
        }

        if (o.Protocol != ServerProtocol.Chat)
        {
            args.AddRange(["--protocol", o.Protocol.ToString().ToLowerInvariant()]);
        }

        if (o.ChatText)
        {
            args.Add("--chat-text");
        }

        return args;
    }
}
