namespace PipeChat.Protocol.Chat;

/// <summary>WebSocket close codes of the chat protocol itself (4000-4999, the application range of RFC 6455 §7.4.2), in docs/protocol.md.</summary>
public static class ChatCloseCodes
{
    /// <summary>The connection's token expired and no refresh replaced it (reason "token expired").</summary>
    public const ushort TokenExpired = 4001;
}
