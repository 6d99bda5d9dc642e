namespace PipeChat.LoadTest.Options;

/// <summary>The workloads the load tool drives.</summary>
public enum Scenario
{
    /// <summary>Ramp N connections at a rate and hold them idle: connect rate and memory per connection.</summary>
    Connect,
    /// <summary>R rooms × M members, S senders per room at a fixed rate or open loop with a bounded window.</summary>
    Fanout,
    /// <summary>Pairs of users exchanging private notices.</summary>
    Private,
    /// <summary>Round trips: each connection alone in its own room, one message in flight.</summary>
    Echo,
    /// <summary>Connect, join and disconnect at a rate while a fan-out load runs.</summary>
    Churn,
    /// <summary>One big room: many readers, few writers, presence on.</summary>
    Live,
    /// <summary>Long mixed run: well-behaved rooms, churn, slow-reader batches, malformed clients and oversized messages; memory over time.</summary>
    Soak,
    /// <summary>One room of M WebSocket members; S senders POST its messages to the server API (/api/publish), one HTTP connection per request.</summary>
    Api,
}
