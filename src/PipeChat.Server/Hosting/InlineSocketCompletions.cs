using PipeChat.Server.Configuration;
using Microsoft.Extensions.Configuration;

namespace PipeChat.Server.Hosting;

/// <summary>
/// Runs socket completions on the runtime's socket event threads instead of handing each one to
/// the thread pool (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>, what Kestrel's
/// <c>UnsafePreferInlineScheduling</c> turns on). The read loop then parses, handles and, for its
/// own replies, sends (<see cref="Connections.WebSocketSession"/>) on the thread that saw the
/// socket readable: no context switch and no queue between the event and the work. Safe here
/// because nothing on PipeChat's receive path blocks (no locks held across I/O, no sync waits);
/// writers to other connections still run on the thread pool. The cost: one busy connection's
/// work delays the others served by the same event thread, which shows as tail latency when one
/// very large room saturates a small machine. The runtime reads the variable once, when its socket
/// engine starts, so this runs first thing in Main: it applies <c>--inline-socket-completions</c>
/// (flag, PIPECHAT_ variable or appsettings.json; on by default) unless the operator set the
/// runtime's variable, which wins. docs/performance.md has the measurements.
/// </summary>
internal static class InlineSocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    private static string s_source = "not applied (the host was built without Main)";

    /// <summary>
    /// Whether the runtime runs completions inline: the runtime's own test of the variable (it is
    /// read once, before the first socket; nothing changes it afterwards).
    /// </summary>
    public static bool Enabled => Environment.GetEnvironmentVariable(Variable) == "1";

    /// <summary>Where the effective value came from, for the start-up log line.</summary>
    public static string Source => s_source;

    /// <summary>Called first thing in Main, before any socket is created.</summary>
    public static void EnableUnlessSet()
    {
        var setting = ReadSetting(Environment.GetCommandLineArgs()[1..]);
        var value = Decide(Environment.GetEnvironmentVariable(Variable), setting, out s_source);
        if (value is not null)
        {
            Environment.SetEnvironmentVariable(Variable, value);
        }
    }

    /// <summary>
    /// The value to give the runtime's variable (null: leave it as it is), from the variable as
    /// the operator left it and the PipeChat setting (null when not given).
    /// </summary>
    internal static string? Decide(string? runtimeVariable, bool? setting, out string source)
    {
        if (runtimeVariable is not null)
        {
            source = $"{Variable}={runtimeVariable} in the environment";
            return null;
        }

        source = setting is null ? "default" : "--inline-socket-completions";
        return setting ?? true ? "1" : "0";
    }

    /// <summary>
    /// The setting as the options loader will read it (appsettings.json, PIPECHAT_ variable, flag),
    /// or null when not given or not readable (the loader then reports a bad value and stops).
    /// </summary>
    private static bool? ReadSetting(string[] args)
    {
        try
        {
            var builder = new ConfigurationBuilder()
                .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true);
            OptionsLoader.AddPipeChatSources(builder, args);
            var raw = builder.Build()[SettingsTable.All.First(s => s.Name == nameof(ServerOptions.InlineSocketCompletions)).ConfigKey];
            return bool.TryParse(raw?.Trim(), out var value) ? value : null;
        }
        catch (Exception ex) when (ex is ConfigurationException or FormatException or InvalidDataException or IOException)
        {
            return null;
        }
    }
}
