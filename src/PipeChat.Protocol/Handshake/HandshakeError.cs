namespace PipeChat.Protocol.Handshake;

/// <summary>An HTTP status and a one-line reason for a refused request.</summary>
public readonly record struct HandshakeError(int StatusCode, string Reason);
