using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using PipeChat.Protocol.Framing;
using PipeChat.Protocol.Handshake;
using PipeChat.Server.Connections;

namespace PipeChat.Server.Tests.Sessions;

/// <summary>An application that accepts (or refuses) every upgrade and records what reaches it.</summary>
internal sealed class RecordingApplication : IWebSocketApplication
{
    private readonly Channel<string> _messages = Channel.CreateUnbounded<string>();

    /// <summary>When set, every upgrade is refused with this error.</summary>
    public HandshakeError? Refusal { get; init; }

    public TaskCompletionSource<IWebSocketConnection> Opened { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Messages received, as "Text:payload" / "Binary:payload".</summary>
    public ChannelReader<string> Messages => _messages.Reader;

    public bool TryAccept(in HandshakeRequest request, ConnectionContext connection, out AcceptDecision decision, out HandshakeError error)
    {
        decision = new AcceptDecision("tester", null);
        error = Refusal ?? default;
        return Refusal is null;
    }

    public ValueTask<(string? UserId, HandshakeError Error, object? State)> CompleteAcceptAsync(AcceptDecision decision)
        => ValueTask.FromResult<(string?, HandshakeError, object?)>(("tester", default, null));

    public void OnOpen(IWebSocketConnection connection) => Opened.TrySetResult(connection);

    public void OnMessage(IWebSocketConnection connection, WebSocketOpcode type, ReadOnlySpan<byte> payload)
        => _messages.Writer.TryWrite($"{type}:{Encoding.UTF8.GetString(payload)}");

    public void OnClose(IWebSocketConnection connection) => Closed.TrySetResult();
}
