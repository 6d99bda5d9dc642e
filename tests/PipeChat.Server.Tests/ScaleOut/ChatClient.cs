using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace PipeChat.Server.Tests.ScaleOut;

/// <summary>A chat client over the BCL's ClientWebSocket: sends JSON, collects every message the server sends.</summary>
public sealed class ChatClient : IAsyncDisposable
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);
    private readonly ClientWebSocket _socket = new();
    private readonly Channel<JsonElement> _inbox = Channel.CreateUnbounded<JsonElement>();
    private readonly List<JsonElement> _skipped = [];
    private Task? _receiver;

    private ChatClient(string userId) => UserId = userId;

    public string UserId { get; }

    /// <summary>True once the server closed the connection or it failed.</summary>
    public bool Closed { get; private set; }

    /// <summary>The server's close code and reason, once it sent a close frame.</summary>
    public WebSocketCloseStatus? CloseStatus { get; private set; }

    public string? CloseDescription { get; private set; }

    public static async Task<ChatClient> ConnectAsync(int port, string userId)
    {
        var client = new ChatClient(userId);
        await client._socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/{userId}"), CancellationToken.None);
        client._receiver = client.ReceiveLoopAsync();
        var welcome = await client.NextAsync("welcome");
        Assert.Equal(userId, welcome.GetProperty("data").GetProperty("id").GetString());
        return client;
    }

    public Task SendAsync(string json) => _socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>Joins and returns the <c>joined</c> reply (messages before it are dropped).</summary>
    public async Task<JsonElement> JoinAsync(string roomId, long? since = null, string? epoch = null)
    {
        var extra = (since is { } s ? $",\"since\":{s}" : "") + (epoch is null ? "" : $",\"epoch\":\"{epoch}\"");
        await SendAsync($"{{\"type\":\"join\",\"data\":{{\"roomid\":\"{roomId}\"{extra}}},\"ref\":\"j-{roomId}\"}}");
        return await NextAsync("joined");
    }

    /// <summary>The first message of the given type not taken yet; others are kept for later calls, in order.</summary>
    public Task<JsonElement> NextAsync(string type, Func<JsonElement, bool>? where = null)
        => NextMatchingAsync(m => Matches(m, type, where), type);

    /// <summary>The first message not taken yet that <paramref name="match"/> accepts; others are kept for later calls, in order.</summary>
    public async Task<JsonElement> NextMatchingAsync(Func<JsonElement, bool> match, string what)
    {
        var index = _skipped.FindIndex(m => match(m));
        if (index >= 0)
        {
            var earlier = _skipped[index];
            _skipped.RemoveAt(index);
            return earlier;
        }

        using var timeout = new CancellationTokenSource(s_wait);
        while (true)
        {
            JsonElement message;
            try
            {
                message = await _inbox.Reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{UserId}: no '{what}' message within {s_wait.TotalSeconds} s");
            }
            catch (ChannelClosedException ex)
            {
                throw new InvalidOperationException($"{UserId}: connection closed while waiting for '{what}'", ex.InnerException);
            }

            if (match(message))
            {
                return message;
            }

            _skipped.Add(message);
        }
    }

    /// <summary>
    /// Every message not taken yet, in arrival order, up to and including the first one
    /// <paramref name="last"/> accepts (a marker): what the client saw between two points.
    /// </summary>
    public async Task<List<JsonElement>> UntilAsync(Func<JsonElement, bool> last, string what)
    {
        var seen = new List<JsonElement>(_skipped);
        _skipped.Clear();
        if (seen.FindIndex(m => last(m)) is var index and >= 0)
        {
            _skipped.AddRange(seen.Skip(index + 1));
            return seen[..(index + 1)];
        }

        using var timeout = new CancellationTokenSource(s_wait);
        while (true)
        {
            JsonElement message;
            try
            {
                message = await _inbox.Reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{UserId}: no '{what}' message within {s_wait.TotalSeconds} s; saw {string.Join(", ", seen.Select(m => m.GetRawText()))}");
            }

            seen.Add(message);
            if (last(message))
            {
                return seen;
            }
        }
    }

    /// <summary>The next <paramref name="count"/> room messages of <paramref name="roomId"/> (other messages dropped).</summary>
    public async Task<List<JsonElement>> RoomMessagesAsync(string roomId, int count)
    {
        var messages = new List<JsonElement>(count);
        while (messages.Count < count)
        {
            messages.Add(await NextAsync("room", m => m.GetProperty("data").GetProperty("roomid").GetString() == roomId));
        }

        return messages;
    }

    /// <summary>Whether a message of the type arrives within <paramref name="wait"/>.</summary>
    public async Task<JsonElement?> TryNextAsync(string type, TimeSpan wait, Func<JsonElement, bool>? where = null)
    {
        if (TakeSkipped(type, where) is { } earlier)
        {
            return earlier;
        }

        using var timeout = new CancellationTokenSource(wait);
        try
        {
            while (true)
            {
                var message = await _inbox.Reader.ReadAsync(timeout.Token);
                if (Matches(message, type, where))
                {
                    return message;
                }

                _skipped.Add(message);
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private static bool Matches(JsonElement message, string type, Func<JsonElement, bool>? where)
        => message.GetProperty("type").GetString() == type && (where is null || where(message));

    private JsonElement? TakeSkipped(string type, Func<JsonElement, bool>? where)
    {
        var index = _skipped.FindIndex(m => Matches(m, type, where));
        if (index < 0)
        {
            return null;
        }

        var message = _skipped[index];
        _skipped.RemoveAt(index);
        return message;
    }

    /// <summary>Drops the TCP connection without a close handshake (a phone losing its network).</summary>
    public void Abort() => _socket.Abort();

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                _socket.Abort();
            }
        }

        _socket.Dispose();
        if (_receiver is not null)
        {
            await _receiver;
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    CloseStatus = result.CloseStatus;
                    CloseDescription = result.CloseStatusDescription;
                    break;
                }

                message.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                {
                    JsonElement element;
                    try
                    {
                        using var document = JsonDocument.Parse(message.ToArray());
                        element = document.RootElement.Clone();
                    }
                    catch (JsonException)
                    {
                        throw new InvalidDataException($"{UserId} got a message that is not JSON: {Encoding.UTF8.GetString(message.ToArray())}");
                    }

                    _inbox.Writer.TryWrite(element);
                    message.SetLength(0);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Aborted or dropped: the inbox closes below.
        }

        catch (InvalidDataException ex)
        {
            Closed = true;
            _inbox.Writer.TryComplete(ex);
            return;
        }

        Closed = true;
        _inbox.Writer.TryComplete();
    }
}
