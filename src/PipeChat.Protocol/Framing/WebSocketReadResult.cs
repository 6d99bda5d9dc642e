namespace PipeChat.Protocol.Framing;

/// <summary>What one <see cref="WebSocketReader.Read"/> step produced.</summary>
public enum WebSocketReadResult
{
    /// <summary>All complete input was used; read more and call again.</summary>
    NeedMoreData,
    /// <summary>A whole data message is in the sink; <see cref="WebSocketReader.MessageType"/> tells text or binary.</summary>
    Message,
    /// <summary>A ping; its payload is <see cref="WebSocketReader.ControlPayload"/>.</summary>
    Ping,
    /// <summary>A pong; its payload is <see cref="WebSocketReader.ControlPayload"/>.</summary>
    Pong,
    /// <summary>A valid close frame; see <see cref="WebSocketReader.CloseCode"/> and <see cref="WebSocketReader.CloseReason"/>.</summary>
    Close,
    /// <summary>A protocol violation; send a close frame with <see cref="WebSocketReader.CloseCode"/> and stop reading.</summary>
    Error,
}
