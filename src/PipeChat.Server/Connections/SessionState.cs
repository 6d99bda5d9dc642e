namespace PipeChat.Server.Connections;

/// <summary>Life cycle of a connection.</summary>
internal enum SessionState
{
    /// <summary>Waiting for the HTTP upgrade request.</summary>
    Handshaking,
    /// <summary>WebSocket open: messages flow both ways.</summary>
    Open,
    /// <summary>Our close frame is queued or sent; waiting for the peer's.</summary>
    Closing,
    /// <summary>Finished; nothing more is read or written.</summary>
    Closed,
}
