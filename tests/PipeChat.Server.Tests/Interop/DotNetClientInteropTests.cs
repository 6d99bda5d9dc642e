using System.Net.WebSockets;

namespace PipeChat.Server.Tests.Interop;

/// <summary>System.Net.WebSockets.ClientWebSocket against the echo endpoint, over ws and wss.</summary>
public sealed class DotNetClientInteropTests(InteropServersFixture servers) : IClassFixture<InteropServersFixture>
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);

    public static TheoryData<string, string, bool> MessageCases()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var transport in InteropCases.Transports)
        {
            foreach (var name in InteropCases.Messages)
            {
                data.Add(transport, name, false);
                data.Add(transport, name, true);
            }
        }

        return data;
    }

    public static TheoryData<string> Transports() => [.. InteropCases.Transports];

    [Theory]
    [MemberData(nameof(MessageCases))]
    public async Task Message_is_echoed_exactly(string transport, string name, bool deflate)
    {
        using var deadline = new CancellationTokenSource(s_timeout);
        using var socket = await ConnectAsync(transport, deadline.Token, deflate: deflate);
        Assert.Equal(deflate, socket.HttpResponseHeaders?.ContainsKey("Sec-WebSocket-Extensions") ?? false);
        var (isText, payload) = InteropCases.Message(name);
        var type = isText ? WebSocketMessageType.Text : WebSocketMessageType.Binary;

        await socket.SendAsync(payload, type, endOfMessage: true, deadline.Token);

        var (receivedType, received) = await ReceiveMessageAsync(socket, deadline.Token);
        Assert.Equal(type, receivedType);
        Assert.True(received.AsSpan().SequenceEqual(payload), $"echo of {payload.Length} bytes differs (got {received.Length} bytes)");
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", deadline.Token);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Close_1000_is_echoed(string transport)
    {
        using var deadline = new CancellationTokenSource(s_timeout);
        using var socket = await ConnectAsync(transport, deadline.Token);

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", deadline.Token);

        Assert.Equal(WebSocketState.Closed, socket.State);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Keep_alive_pings_are_answered_with_matching_pongs(string transport)
    {
        // With KeepAliveTimeout set, ClientWebSocket sends pings carrying a payload and aborts the
        // connection if the matching pong does not come back within the timeout.
        using var deadline = new CancellationTokenSource(s_timeout);
        using var socket = await ConnectAsync(transport, deadline.Token, keepAlive: true);

        for (var i = 0; i < 6; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), deadline.Token);
            var payload = InteropCases.SizedText(i + 1);
            await socket.SendAsync(payload, WebSocketMessageType.Text, endOfMessage: true, deadline.Token);
            var (_, received) = await ReceiveMessageAsync(socket, deadline.Token);
            Assert.Equal(payload, received);
        }

        Assert.Equal(WebSocketState.Open, socket.State);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", deadline.Token);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
    }

    private async Task<ClientWebSocket> ConnectAsync(string transport, CancellationToken cancellationToken, bool keepAlive = false, bool deflate = false)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (deflate)
        {
            // ClientWebSocket compresses every message it sends (no threshold).
            socket.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();
        }

        if (transport == "wss")
        {
            socket.Options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }

        if (keepAlive)
        {
            socket.Options.KeepAliveInterval = TimeSpan.FromMilliseconds(100);
            socket.Options.KeepAliveTimeout = TimeSpan.FromSeconds(1);
        }

        try
        {
            await socket.ConnectAsync(servers.EchoUri(transport), cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<(WebSocketMessageType Type, byte[] Payload)> ReceiveMessageAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        using var message = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cancellationToken);
            Assert.True(result.MessageType != WebSocketMessageType.Close, $"expected an echo, the server closed with {result.CloseStatus}");
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (result.MessageType, message.ToArray());
            }
        }
    }
}
