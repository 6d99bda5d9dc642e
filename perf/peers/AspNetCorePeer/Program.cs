using System.Net.WebSockets;
using AspNetCorePeer;

// Usage: dotnet AspNetCorePeer.dll --port 3002
var port = args.Length >= 2 && args[0] == "--port" ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3002;
var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
builder.Services.AddSingleton<ChatHub>();
var app = builder.Build();
app.UseWebSockets();

app.Map("/{id}", async (HttpContext context, string id, ChatHub hub) =>
{
    if (!context.WebSockets.IsWebSocketRequest)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return;
    }

    using var socket = await context.WebSockets.AcceptWebSocketAsync();
    var connection = new ChatConnection(id, socket);
    var writer = connection.WriteLoopAsync(context.RequestAborted);
    hub.Connect(connection);
    var buffer = new byte[1024 * 4];
    using var message = new MemoryStream();
    try
    {
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, context.RequestAborted);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                break;
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                hub.Handle(connection, message.GetBuffer().AsMemory(0, (int)message.Length));
                message.SetLength(0);
            }
        }
    }
    catch (Exception e) when (e is WebSocketException or OperationCanceledException)
    {
    }
    finally
    {
        hub.Disconnect(connection);
        await writer;
    }

    if (socket.State == WebSocketState.CloseReceived)
    {
        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }
        catch (WebSocketException)
        {
        }
    }
});

app.Run();
