namespace PipeChat.Server.Rooms;

/// <summary>
/// A member connection that reads room messages through a cursor into the room's
/// <see cref="RoomFeed"/> (WebSocket sessions) rather than taking each frame through
/// <see cref="IRoomMember.TrySend"/> (test doubles, the API's reply sink).
/// </summary>
internal interface IFeedReader
{
    /// <summary>Joined: read the feed from its current end. Called under the room's lock.</summary>
    void Subscribe(RoomFeed feed);

    /// <summary>Left: stop at the feed's current end. Called under the room's lock.</summary>
    void Unsubscribe(RoomFeed feed);

    /// <summary>
    /// <paramref name="frame"/> was appended to <paramref name="feed"/>: wake the writer. Returns false when the
    /// connection is closing, or has just fallen more than its outbound limit behind (it then
    /// closes itself with 1008 and drops its cursors).
    /// </summary>
    bool Notify(RoomFeed feed, Buffers.SharedFrame frame);
}
