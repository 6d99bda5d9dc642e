using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Chat;

/// <summary>One message the client received: the exact text and its parsed JSON.</summary>
internal sealed record Received(string Raw, JsonElement Json)
{
    /// <summary>Arrival number on its connection (1 for the first message).</summary>
    public long Sequence { get; init; }

    public string Type => Json.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";

    public JsonElement Data => Json.GetProperty("data");

    public override string ToString() => Raw;
}

/// <summary>
/// A real WebSocket client (System.Net.WebSockets.ClientWebSocket) that reads in the background,
/// parses every text message with System.Text.Json and keeps it until a test takes it.
/// </summary>
internal sealed class ChatClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    private readonly ClientWebSocket _socket;
    private readonly List<Received> _pending = [];
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly TaskCompletionSource<WebSocketCloseStatus?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiving;
    private int _nextRef;
    private long _received;

    private ChatClient(ClientWebSocket socket)
    {
        _socket = socket;
        _receiving = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>The welcome message (taken from the queue on connect).</summary>
    public Received Welcome { get; private set; } = null!;

    /// <summary>The id the server assigned (welcome.data.id).</summary>
    public string Id => Welcome.Data.GetProperty("id").GetString()!;

    /// <summary>Completes with the close status the server sent (null when the socket ended without one).</summary>
    public Task<WebSocketCloseStatus?> Closed => _closed.Task;

    public WebSocketState State => _socket.State;

    /// <summary>The reason in the server's close frame, once <see cref="Closed"/> completed.</summary>
    public string? CloseDescription { get; private set; }

    /// <summary>Connects to a path such as "/alice" or "/?id=alice" and waits for the welcome.</summary>
    public static async Task<ChatClient> ConnectAsync(TestServer server, string pathAndQuery, Action<ClientWebSocketOptions>? configure = null)
    {
        var socket = new ClientWebSocket();
        configure?.Invoke(socket.Options);
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await socket.ConnectAsync(server.WebSocketUri(pathAndQuery), timeout.Token);
        var client = new ChatClient(socket);
        client.Welcome = await client.ExpectAsync(m => m.Type == "welcome");
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

    /// <summary>Takes the first received message (oldest first) that matches; earlier non-matching ones stay queued.</summary>
    public async Task<Received> ExpectAsync(Func<Received, bool> predicate, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
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
                string seen;
                lock (_pending)
                {
                    seen = string.Join("\n  ", _pending.Select(m => m.Raw));
                }

                throw new TimeoutException($"no matching message within the timeout; state {_socket.State}; queued:\n  {seen}");
            }
        }
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

    public async ValueTask DisposeAsync()
    {
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
