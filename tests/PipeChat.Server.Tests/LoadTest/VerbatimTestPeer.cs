using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace PipeChat.Server.Tests.LoadTest;

/// <summary>
/// An in-process stand-in for the uWebSockets benchmark peer, for CI machines that do not have it:
/// upgrades on any path and sends every message back unchanged, to every open connection (the
/// sender included) or, in echo mode, to its sender only. ASP.NET Core's WebSocket middleware; one
/// send at a time per connection.
/// </summary>
internal sealed class VerbatimTestPeer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly bool _echo;
    private readonly ConcurrentDictionary<WebSocket, SemaphoreSlim> _open = new();

    private VerbatimTestPeer(WebApplication app, bool echo)
    {
        _app = app;
        _echo = echo;
    }

    /// <summary>ws://127.0.0.1:PORT/ of the running peer.</summary>
    public Uri Url { get; private set; } = null!;

    public static async Task<VerbatimTestPeer> StartAsync(bool echo)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var peer = new VerbatimTestPeer(app, echo);
        app.UseWebSockets();
        app.Run(peer.HandleAsync);
        await app.StartAsync();
        var address = app.Urls.First();
        peer.Url = new Uri(new Uri(address).GetLeftPart(UriPartial.Authority).Replace("http://", "ws://", StringComparison.Ordinal) + "/");
        return peer;
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var sendLock = new SemaphoreSlim(1);
        _open[socket] = sendLock;
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var count = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (count == buffer.Length)
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }

                    result = await socket.ReceiveAsync(buffer.AsMemory(count), context.RequestAborted);
                    count += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _open.TryRemove(socket, out _);
                    await SendAsync(sendLock, () => socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None));
                    return;
                }

                var message = buffer.AsMemory(0, count);
                if (_echo)
                {
                    await SendAsync(sendLock, () => socket.SendAsync(message, result.MessageType, endOfMessage: true, CancellationToken.None).AsTask());
                    continue;
                }

                foreach (var (member, memberLock) in _open)
                {
                    await SendAsync(memberLock, () => member.SendAsync(message, result.MessageType, endOfMessage: true, CancellationToken.None).AsTask());
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // The client went away; the load tool counts what it missed.
        }
        finally
        {
            _open.TryRemove(socket, out _);
        }
    }

    /// <summary>One send at a time per connection; a connection that is closing or gone is skipped.</summary>
    private static async Task SendAsync(SemaphoreSlim sendLock, Func<Task> send)
    {
        await sendLock.WaitAsync();
        try
        {
            await send();
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or InvalidOperationException or IOException)
        {
        }
        finally
        {
            sendLock.Release();
        }
    }
}
