namespace PipeChat.Server.Tests.ScaleOut;

/// <summary>
/// The scale-out classes run one after another: each starts several nodes and its own
/// redis-server, and the outage test kills Redis, which should not compete for the two cores
/// with the others.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ScaleOutCollection
{
    public const string Name = "scale-out";
}
