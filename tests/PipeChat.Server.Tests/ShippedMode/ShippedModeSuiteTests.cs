using PipeChat.Server.Hosting;

namespace PipeChat.Server.Tests.ShippedMode;

/// <summary>
/// The chat and conformance suites as the server ships: inline socket completions on (Main sets
/// them; the runtime reads the variable once per process, so the suites run in a child test process
/// with it set) on each transport — the lean one (ws://) and Kestrel's (wss://). Chat tests take the
/// transport from PIPECHAT_TRANSPORT; the conformance classes name theirs (their Lean or Kestrel variant).
/// </summary>
public sealed class ShippedModeSuiteTests
{
    [Theory]
    [InlineData("pipechat", "Lean")]
    [InlineData("kestrel", "Kestrel")]
    public async Task Chat_and_conformance_suites_pass_with_inline_socket_completions(string transport, string conformanceVariant)
    {
        Assert.Null(Environment.GetEnvironmentVariable(ChildTestRun.ChildMarker)); // the filter below never selects this class

        var result = await ChildTestRun.RunAsync(
            $"FullyQualifiedName~PipeChat.Server.Tests.Chat.|FullyQualifiedName~ConformanceTests+{conformanceVariant}.",
            new Dictionary<string, string> { [InlineSocketCompletions.Variable] = "1", ["PIPECHAT_TRANSPORT"] = transport },
            TimeSpan.FromMinutes(5));

        Assert.True(result.Failed.Count == 0, $"failed with --transport {transport} and inline completions:\n{string.Join('\n', result.Failed)}\n{result.Output}");
        Assert.True(result.Passed > 300, $"only {result.Passed} tests ran:\n{result.Output}");
    }
}
