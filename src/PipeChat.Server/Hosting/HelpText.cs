using PipeChat.Server.Configuration;
using System.Text;

namespace PipeChat.Server.Hosting;

/// <summary>--help output, generated from the settings table.</summary>
internal static class HelpText
{
    public static string Render()
    {
        var defaults = new ServerOptions();
        var sb = new StringBuilder();
        sb.AppendLine("PipeChat — WebSocket chat server");
        sb.AppendLine();
        sb.AppendLine("usage: PipeChat.Server [options]");
        sb.AppendLine("       PipeChat.Server token --uid ID [--ttl SECONDS] [--rooms LIST] [--mod LIST] --auth-secret SECRET");
        sb.AppendLine();
        sb.AppendLine("Every option can also be set as an environment variable or in appsettings.json (section PipeChat).");
        sb.AppendLine();
        foreach (var setting in SettingsTable.All)
        {
            var value = typeof(ServerOptions).GetProperty(setting.Name)!.GetValue(defaults);
            sb.Append("  ").Append(setting.Flag.PadRight(30)).Append(setting.Help);
            if (value is not null)
            {
                sb.Append(" [default: ").Append(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)).Append(']');
            }

            sb.AppendLine();
            sb.Append("  ").Append(' ', 30).Append(setting.EnvironmentVariable).AppendLine();
        }

        sb.AppendLine().Append(RuntimeKnobs.HelpSection);
        return sb.ToString();
    }
}
