namespace PipeChat.Server.Tests.Interop;

/// <summary>
/// Real third-party clients against the echo endpoint over ws and wss: node's `ws` (npm) with and
/// without permessage-deflate and python's `websockets` (Debian package; deflate on by default).
/// A missing client or package fails every row with the script's message.
/// </summary>
public sealed class ScriptClientInteropTests(ScriptClientsFixture clients) : IClassFixture<ScriptClientsFixture>
{
    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var client in new[] { "node-ws", "node-ws-plain", "python-websockets" })
        {
            foreach (var transport in InteropCases.Transports)
            {
                foreach (var name in InteropCases.All)
                {
                    data.Add(client, transport, name);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Scripted_case_passes(string client, string transport, string name)
    {
        var run = await clients.RunAsync(client, transport);

        run.AssertPassed(name);
    }
}
