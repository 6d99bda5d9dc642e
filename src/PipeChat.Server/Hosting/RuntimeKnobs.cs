using PipeChat.Server.Configuration;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace PipeChat.Server.Hosting;

/// <summary>
/// The runtime settings PipeChat ships with that are not the runtime's defaults, reported with
/// their effective values in one log line at start-up (so an operator, or a test, can see what the
/// process really runs with): inline socket completions (<c>--inline-socket-completions</c>), the
/// GC's gen0 budget cap (the runtimeconfig's <c>System.GC.Gen0MaxBudget</c>, overridden by
/// <c>DOTNET_GCGen0MaxBudget</c>: the GC reads it at process start, so it cannot be a flag), and the
/// post-burst compacting collection (<c>--trim-after-connects</c>).
/// </summary>
internal static partial class RuntimeKnobs
{
    /// <summary>The environment variable that overrides the runtimeconfig's cap (a hex value; 0 lifts the cap). Case matters.</summary>
    public const string Gen0MaxBudgetVariable = "DOTNET_GCGen0MaxBudget";

    /// <summary>The GC's own view of its gen0 budget cap in bytes (without a cap: the limit it computed itself).</summary>
    public static long Gen0MaxBudgetBytes
        => GC.GetConfigurationVariables().TryGetValue("GCGen0MaxBudget", out var value) ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : 0;

    /// <summary>What --help says about the knob that is not a PipeChat setting.</summary>
    public static string HelpSection =>
        "Runtime setting (read by the GC at process start, so not a flag):\n"
        + "  gen0 budget cap               memory per idle connection after connect bursts: the runtimeconfig caps the GC's gen0\n"
        + "                                budget at 2 MiB (System.GC.Gen0MaxBudget); costs more frequent young collections\n"
        + "                                under allocation-heavy load; " + Gen0MaxBudgetVariable + "=0 lifts it (a hex value sets another cap)\n";

    /// <summary>Logs the effective value of each knob.</summary>
    public static void LogEffective(ILogger logger, ServerOptions options)
    {
        var gen0 = Gen0MaxBudgetBytes;
        var gen0Source = Environment.GetEnvironmentVariable(Gen0MaxBudgetVariable) is { } raw
            ? $"{Gen0MaxBudgetVariable}={raw}"
            : "runtimeconfig";
        Effective(
            logger,
            InlineSocketCompletions.Enabled ? "on" : "off",
            InlineSocketCompletions.Source,
            gen0.ToString(CultureInfo.InvariantCulture) + " bytes",
            gen0Source,
            options.TrimAfterConnects > 0 ? options.TrimAfterConnects.ToString(CultureInfo.InvariantCulture) : "off");
    }

    [LoggerMessage(130, LogLevel.Information, "Runtime knobs: inline-socket-completions={Inline} ({InlineSource}); gen0-max-budget={Gen0} ({Gen0Source}); trim-after-connects={Trim}")]
    private static partial void Effective(ILogger logger, string inline, string inlineSource, string gen0, string gen0Source, string trim);
}
