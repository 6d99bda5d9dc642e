namespace PipeChat.Server.Hosting;

/// <summary>
/// Runs socket completions on the runtime's socket event threads instead of handing each one to
/// the thread pool (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>, what Kestrel's
/// <c>UnsafePreferInlineScheduling</c> turns on). The read loop then parses, handles and, for its
/// own replies, sends (<see cref="Connections.WebSocketSession"/>) on the thread that saw the
/// socket readable: no context switch and no queue between the event and the work. Safe here
/// because nothing on PipeChat's receive path blocks (no locks held across I/O, no sync waits);
/// writers to other connections still run on the thread pool. The runtime reads the variable
/// once, when the first socket is created, so this must run first thing in Main. An operator's
/// own setting wins (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0</c> turns it off);
/// docs/performance.md has the measurements.
/// </summary>
internal static class InlineSocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static void EnableUnlessSet()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null)
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
    }
}
