namespace PipeChat.Server.Routing;

/// <summary>
/// Room counters (likes, docs/protocol.md): members send increments; each counter's value goes
/// to the room as one <c>counter</c> event at most once per <c>--counter-interval-ms</c>, however
/// many increments arrived. One implementation is chosen at start-up: <see cref="LocalCounterHub"/>
/// on a single node, the Redis one (ScaleOut) across nodes.
/// </summary>
internal interface ICounterHub : IDisposable
{
    /// <summary>Adds <paramref name="by"/> to the room's counter; false when the room already has as many counters as it may and this is a new one.</summary>
    bool Add(string roomId, ReadOnlySpan<char> name, long by);

    /// <summary>Starts the periodic updates.</summary>
    void Start();
}
