using System.Text.Json;
using PipeChat.Server.Hosting;
using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Hosting;

/// <summary>
/// The runtime settings PipeChat ships that are not .NET's defaults, checked in the mode they ship
/// in: the built server started as its own process (Main applies them), reporting each effective
/// value in its start-up log line.
/// </summary>
public sealed class RuntimeKnobsTests
{
    [Fact]
    public void Shipped_runtimeconfig_caps_the_gen0_budget_at_2_MiB()
    {
        var path = Path.ChangeExtension(typeof(PipeChatHost).Assembly.Location, ".runtimeconfig.json");
        using var config = JsonDocument.Parse(File.ReadAllText(path));

        var cap = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").GetProperty("System.GC.Gen0MaxBudget");

        Assert.Equal(2 * 1024 * 1024, cap.GetInt64());
    }

    [Fact]
    public async Task Server_process_runs_with_every_knob_on_by_default()
    {
        using var server = await ServerProcess.StartAsync();

        var line = await server.WaitForLineAsync("Runtime knobs:");

        Assert.Contains("inline-socket-completions=on (default)", line, StringComparison.Ordinal);
        Assert.Contains("gen0-max-budget=2097152 bytes (runtimeconfig)", line, StringComparison.Ordinal);
        Assert.Contains("trim-after-connects=10000", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_process_turns_each_knob_off_as_documented()
    {
        using var server = await ServerProcess.StartAsync(
            new Dictionary<string, string> { [RuntimeKnobs.Gen0MaxBudgetVariable] = "0" },
            "--inline-socket-completions", "false", "--trim-after-connects", "0");

        var line = await server.WaitForLineAsync("Runtime knobs:");

        Assert.Contains("inline-socket-completions=off (--inline-socket-completions)", line, StringComparison.Ordinal);
        Assert.Matches($@"gen0-max-budget=\d+ bytes \({RuntimeKnobs.Gen0MaxBudgetVariable}=0\)", line);
        Assert.DoesNotContain("gen0-max-budget=2097152 ", line, StringComparison.Ordinal);
        Assert.Contains("trim-after-connects=off", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Operators_runtime_variable_wins_over_the_default()
    {
        using var server = await ServerProcess.StartAsync(
            new Dictionary<string, string> { [InlineSocketCompletions.Variable] = "0", ["PIPECHAT_INLINE_SOCKET_COMPLETIONS"] = "true" });

        var line = await server.WaitForLineAsync("Runtime knobs:");

        Assert.Contains($"inline-socket-completions=off ({InlineSocketCompletions.Variable}=0 in the environment)", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null, "1", "default")]
    [InlineData(null, true, "1", "--inline-socket-completions")]
    [InlineData(null, false, "0", "--inline-socket-completions")]
    [InlineData("0", true, null, InlineSocketCompletions.Variable + "=0 in the environment")]
    [InlineData("1", false, null, InlineSocketCompletions.Variable + "=1 in the environment")]
    public void Decision_follows_the_documented_precedence(string? runtimeVariable, bool? setting, string? expected, string expectedSource)
    {
        Assert.Equal(expected, InlineSocketCompletions.Decide(runtimeVariable, setting, out var source));
        Assert.Equal(expectedSource, source);
    }

    [Fact]
    public void Help_names_every_knob_and_how_to_turn_it_off()
    {
        var help = HelpText.Render();

        Assert.Contains("--inline-socket-completions", help, StringComparison.Ordinal);
        Assert.Contains("--trim-after-connects", help, StringComparison.Ordinal);
        Assert.Contains(RuntimeKnobs.Gen0MaxBudgetVariable + "=0", help, StringComparison.Ordinal);
    }
}
