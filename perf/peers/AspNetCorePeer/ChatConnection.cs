using System.Net.WebSockets;
using System.Threading.Channels;

namespace AspNetCorePeer;

/// <summary>One client: its socket, and a channel that a single writer loop drains (the usual way to serialize sends).</summary>
internal sealed class ChatConnection(string userId, WebSocket socket)
{
    private readonly Channel<byte[]> _outbox = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });

    public string UserId { get; } = userId;

    public HashSet<string> Rooms { get; } = [];

    public void Send(byte[] message) => _outbox.Writer.TryWrite(message);

    public void Complete() => _outbox.Writer.TryComplete();

    public async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in _outbox.Reader.ReadAllAsync(cancellationToken))
            {
                await socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }
}
