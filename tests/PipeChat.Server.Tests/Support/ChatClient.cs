using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace PipeChat.Server.Tests.Support;

/// <summary>
/// A real WebSocket client (System.Net.WebSockets.ClientWebSocket) for the chat protocol: it reads
/// in the background, parses every text message with System.Text.Json and keeps it until a test
/// takes it (<see cref="ExpectAsync"/>, or by type with <see cref="NextAsync"/>); messages a test
/// skips stay queued, in order, for later calls.
/// </summary>
public sealed class ChatClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The wait of the by-type helpers (<see cref="NextAsync"/>, <see cref="UntilAsync"/>), longer for multi-node runs.</summary>
    private static readonly TimeSpan s_nextTimeout = TimeSpan.FromSeconds(10);

    private readonly ClientWebSocket _socket;
    private readonly List<Received> _pending = [];
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly TaskCompletionSource<WebSocketCloseStatus?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiving;
    private int _nextRef;
    private long _received;
    private int _disposed;

    private ChatClient(ClientWebSocket socket)
    {
        _socket = socket;
        _receiving = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>The welcome message (taken from the queue on connect).</summary>
    public Received Welcome { get; private set; } = null!;

    /// <summary>The id the server assigned (welcome.data.id).</summary>
    public string Id => Welcome.Data.GetProperty("id").GetString()!;

    /// <summary>The id the client asked for in <see cref="ConnectAsync(int, string)"/> (the server's <see cref="Id"/>).</summary>
    public string UserId => Id;

    /// <summary>Completes with the close status the server sent (null when the socket ended without one).</summary>
    public Task<WebSocketCloseStatus?> Closed => _closed.Task;

    /// <summary>The server's close code, once it sent a close frame.</summary>
    public WebSocketCloseStatus? CloseStatus => _closed.Task.IsCompletedSuccessfully ? _closed.Task.Result : null;

    public WebSocketState State => _socket.State;

    /// <summary>The reason in the server's close frame, once <see cref="Closed"/> completed.</summary>
    public string? CloseDescription { get; private set; }

    /// <summary>Connects to a path such as "/alice" or "/?id=alice" and waits for the welcome.</summary>
    public static Task<ChatClient> ConnectAsync(TestServer server, string pathAndQuery, Action<ClientWebSocketOptions>? configure = null)
        => ConnectAsync(server.WebSocketUri(pathAndQuery), configure);

    /// <summary>Connects to ws://127.0.0.1:<paramref name="port"/>/<paramref name="userId"/> and checks the welcome names that id.</summary>
    public static async Task<ChatClient> ConnectAsync(int port, string userId)
    {
        var client = await ConnectAsync(new Uri($"ws://127.0.0.1:{port}/{userId}"), configure: null);
        Assert.Equal(userId, client.Id);
        return client;
    }

    /// <summary>Tries a handshake that must fail; returns the HTTP status the server answered with.</summary>
    public static async Task<HttpStatusCode> RefusedStatusAsync(TestServer server, string pathAndQuery, Action<ClientWebSocketOptions>? configure = null)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        configure?.Invoke(socket.Options);
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(server.WebSocketUri(pathAndQuery), timeout.Token));
        Assert.NotEqual(default, socket.HttpStatusCode);
        return socket.HttpStatusCode;
    }

    /// <summary>A fresh string ref unique to this client.</summary>
    public string NewRef() => "r" + Interlocked.Increment(ref _nextRef);

    public Task SendAsync(string json) => SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text);

    public async Task SendAsync(byte[] payload, WebSocketMessageType type)
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await _socket.SendAsync(payload, type, endOfMessage: true, timeout.Token);
    }

    /// <summary>Sends one text message in several WebSocket frames (a fragmented message).</summary>
    public async Task SendFragmentsAsync(params string[] parts)
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        for (var i = 0; i < parts.Length; i++)
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(parts[i]), WebSocketMessageType.Text, endOfMessage: i == parts.Length - 1, timeout.Token);
        }
    }

    /// <summary>Joins and returns the <c>joined</c> reply (messages before it stay queued).</summary>
    public async Task<JsonElement> JoinAsync(string roomId, long? since = null, string? epoch = null)
    {
        var extra = (since is { } s ? $",\"since\":{s}" : "") + (epoch is null ? "" : $",\"epoch\":\"{epoch}\"");
        await SendAsync($"{{\"type\":\"join\",\"data\":{{\"roomid\":\"{roomId}\"{extra}}},\"ref\":\"j-{roomId}\"}}");
        return await NextAsync("joined");
    }

    /// <summary>Takes the first received message (oldest first) that matches; earlier non-matching ones stay queued.</summary>
    public async Task<Received> ExpectAsync(Func<Received, bool> predicate, TimeSpan? timeout = null)
        => await TryExpectAsync(predicate, timeout ?? DefaultTimeout) ?? throw new TimeoutException(
            $"no matching message within the timeout; state {_socket.State}; queued:\n  {string.Join("\n  ", Snapshot().Select(m => m.Raw))}");

    /// <summary>The first message of the given type not taken yet; others stay queued for later calls, in order.</summary>
    public async Task<JsonElement> NextAsync(string type, Func<JsonElement, bool>? where = null)
        => (await ExpectAsync(m => Matches(m, type, where), s_nextTimeout)).Json;

    /// <summary>The first message not taken yet that <paramref name="match"/> accepts; others stay queued.</summary>
    public async Task<JsonElement> NextMatchingAsync(Func<JsonElement, bool> match, string what)
        => (await TryExpectAsync(m => match(m.Json), s_nextTimeout) ?? throw new TimeoutException($"{Id}: no '{what}' message within {s_nextTimeout.TotalSeconds} s")).Json;

    /// <summary>A message of the type if one arrives within <paramref name="wait"/>, else null.</summary>
    public async Task<JsonElement?> TryNextAsync(string type, TimeSpan wait, Func<JsonElement, bool>? where = null)
        => (await TryExpectAsync(m => Matches(m, type, where), wait))?.Json;

    /// <summary>
    /// Every message not taken yet, in arrival order, up to and including the first one
    /// <paramref name="last"/> accepts (a marker): what the client saw between two points.
    /// </summary>
    public async Task<List<JsonElement>> UntilAsync(Func<JsonElement, bool> last, string what)
    {
        var marker = await TryExpectAsync(m => last(m.Json), s_nextTimeout)
            ?? throw new TimeoutException($"{Id}: no '{what}' message within {s_nextTimeout.TotalSeconds} s; saw {string.Join(", ", Snapshot().Select(m => m.Raw))}");
        lock (_pending)
        {
            var before = _pending.Where(m => m.Sequence < marker.Sequence).ToList();
            _pending.RemoveAll(m => m.Sequence < marker.Sequence);
            return [.. before.Select(m => m.Json), marker.Json];
        }
    }

    /// <summary>The next <paramref name="count"/> room messages of <paramref name="roomId"/> (other messages stay queued).</summary>
    public async Task<List<JsonElement>> RoomMessagesAsync(string roomId, int count)
    {
        var messages = new List<JsonElement>(count);
        while (messages.Count < count)
        {
            messages.Add(await NextAsync("room", m => m.GetProperty("data").GetProperty("roomid").GetString() == roomId));
        }

        return messages;
    }

    /// <summary>
    /// Round trip: sends a ping with a fresh ref and returns every message that arrived before the
    /// pong (all of them are taken from the queue). Because the server sends one connection's
    /// messages in order, anything queued for this client before the ping was handled is included.
    /// </summary>
    public async Task<List<Received>> SyncAsync()
    {
        var reference = NewRef();
        await SendAsync($$"""{"type":"ping","ref":"{{reference}}"}""");
        var pong = await ExpectAsync(m => m.Type == "pong" && Ref(m) == reference);
        lock (_pending)
        {
            var before = _pending.Where(m => m.Sequence < pong.Sequence).ToList();
            _pending.RemoveAll(m => m.Sequence < pong.Sequence);
            return before;
        }
    }

    public static string? Ref(Received m) => m.Json.TryGetProperty("ref", out var r) ? r.ToString() : null;

    /// <summary>Sends a close (1000) and waits for the server's answer.</summary>
    public async Task CloseAsync()
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
        await _closed.Task.WaitAsync(DefaultTimeout);
    }

    /// <summary>Drops the TCP connection without a close handshake (a phone losing its network).</summary>
    public void Abort() => _socket.Abort();

    /// <summary>Aborts the connection (no close handshake) and stops reading; a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync();
        _socket.Abort();
        try
        {
            await _receiving;
        }
        catch (Exception)
        {
        }

        _socket.Dispose();
        _stop.Dispose();
        _arrived.Dispose();
    }

    private static bool Matches(Received message, string type, Func<JsonElement, bool>? where)
        => message.Type == type && (where is null || where(message.Json));

    private static async Task<ChatClient> ConnectAsync(Uri uri, Action<ClientWebSocketOptions>? configure)
    {
        var socket = new ClientWebSocket();
        configure?.Invoke(socket.Options);
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await socket.ConnectAsync(uri, timeout.Token);
        var client = new ChatClient(socket);
        client.Welcome = await client.ExpectAsync(m => m.Type == "welcome");
        return client;
    }

    private List<Received> Snapshot()
    {
        lock (_pending)
        {
            return [.. _pending];
        }
    }

    /// <summary>Takes the oldest queued message that matches, waiting up to <paramref name="timeout"/>; null when none came.</summary>
    private async Task<Received?> TryExpectAsync(Func<Received, bool> predicate, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            lock (_pending)
            {
                var index = _pending.FindIndex(m => predicate(m));
                if (index >= 0)
                {
                    var match = _pending[index];
                    _pending.RemoveAt(index);
                    return match;
                }
            }

            try
            {
                await _arrived.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    CloseDescription = result.CloseStatusDescription;
                    _closed.TrySetResult(result.CloseStatus);
                    if (_socket.State == WebSocketState.CloseReceived)
                    {
                        using var timeout = new CancellationTokenSource(DefaultTimeout);
                        await _socket.CloseOutputAsync(result.CloseStatus ?? WebSocketCloseStatus.NormalClosure, null, timeout.Token);
                    }

                    return;
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                var raw = Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
                message.SetLength(0);
                using var document = JsonDocument.Parse(raw);
                lock (_pending)
                {
                    _pending.Add(new Received(raw, document.RootElement.Clone()) { Sequence = ++_received });
                }

                _arrived.Release();
            }
        }
        catch (Exception)
        {
            _closed.TrySetResult(null);
        }
    }
}
