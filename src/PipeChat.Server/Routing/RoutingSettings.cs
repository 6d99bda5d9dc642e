namespace PipeChat.Server.Routing;

/// <summary>What routing needs of the server's settings (docs/configuration.md names them).</summary>
/// <param name="HistorySize">Messages kept per room (--history-size).</param>
/// <param name="HistorySeconds">How long kept messages stay (--history-seconds).</param>
/// <param name="PresenceLimit">Rooms up to this many connections get join/leave events (--presence-limit).</param>
/// <param name="QueryMaxMembers">Most user ids a members answer lists (--query-max-members).</param>
/// <param name="PresenceGraceSeconds">A dropped connection's leave event waits this long for the user to come back (--presence-grace-seconds).</param>
internal sealed record RoutingSettings(int HistorySize, double HistorySeconds, int PresenceLimit, int QueryMaxMembers, double PresenceGraceSeconds = 0);
