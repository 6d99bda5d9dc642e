using System.Collections.Concurrent;

namespace PipeChat.Server.Tests.Interop;

/// <summary>
/// Runs each interop script once per transport against <see cref="InteropServersFixture"/>'s servers
/// and keeps the results, so each scripted case is its own visible test row.
/// </summary>
public sealed class ScriptClientsFixture : IAsyncLifetime
{
    /// <summary>The Debian interpreter: the one python3-websockets is installed for (python3 on PATH may be another).</summary>
    public const string DebianPython = "/usr/bin/python3";

    private readonly InteropServersFixture _servers = new();
    private readonly ConcurrentDictionary<(string Client, string Transport), Lazy<Task<ScriptClientRun>>> _runs = new();

    public Task InitializeAsync() => _servers.InitializeAsync();

    public Task DisposeAsync() => _servers.DisposeAsync();

    public Task<ScriptClientRun> RunAsync(string client, string transport)
        => _runs.GetOrAdd((client, transport), key => new Lazy<Task<ScriptClientRun>>(() => Start(key.Client, key.Transport))).Value;

    private Task<ScriptClientRun> Start(string client, string transport) => client switch
    {
        "node-ws" => ScriptClientRun.RunAsync("node", "ws-client.mjs", _servers.EchoUri(transport)),
        "node-ws-plain" => ScriptClientRun.RunAsync("node", "ws-client.mjs", _servers.EchoUri(transport), "--no-deflate"),
        "python-websockets" => ScriptClientRun.RunAsync(DebianPython, "py_client.py", _servers.EchoUri(transport)),
        _ => throw new ArgumentOutOfRangeException(nameof(client), client, "node-ws, node-ws-plain or python-websockets"),
    };
}
