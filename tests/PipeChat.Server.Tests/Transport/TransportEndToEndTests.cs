using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using PipeChat.Server.Connections;
using PipeChat.Server.Hosting;
using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Transport;

/// <summary>The same traffic over PipeChat's lean transport and over Kestrel's sockets transport.</summary>
public sealed class TransportEndToEndTests
{
    [Theory]
    [InlineData("pipechat")]
    [InlineData("kestrel")]
    public async Task A_one_MiB_fragmented_message_echoes_intact(string transport)
    {
        await using var server = await TestServer.StartAsync("--transport", transport, "--echo-path", "/echo");
        using var socket = await ConnectAsync(server, "/echo");
        var payload = new byte[1024 * 1024];
        new Random(11).NextBytes(payload);

        for (var offset = 0; offset < payload.Length; offset += 16 * 1024)
        {
            await socket.SendAsync(payload.AsMemory(offset, 16 * 1024), WebSocketMessageType.Binary, offset + (16 * 1024) == payload.Length, default);
        }

        var (type, echoed) = await ReceiveMessageAsync(socket);
        Assert.Equal(WebSocketMessageType.Binary, type);
        Assert.Equal(payload, echoed);
    }

    [Theory]
    [InlineData("pipechat")]
    [InlineData("kestrel")]
    public async Task Many_small_messages_come_back_in_order(string transport)
    {
        await using var server = await TestServer.StartAsync("--transport", transport, "--echo-path", "/echo");
        using var socket = await ConnectAsync(server, "/echo");

        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < 2000; i++)
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes("message " + i), WebSocketMessageType.Text, true, default);
            }
        });
        for (var i = 0; i < 2000; i++)
        {
            var (_, echoed) = await ReceiveMessageAsync(socket);
            Assert.Equal("message " + i, Encoding.UTF8.GetString(echoed));
        }

        await sending;
    }

    [Theory]
    [InlineData("pipechat", true)]
    [InlineData("kestrel", false)]
    public async Task The_lean_transport_sends_frames_straight_to_the_socket(string transport, bool direct)
    {
        await using var server = await TestServer.StartAsync("--transport", transport, "--echo-path", "/echo");
        using var socket = await ConnectAsync(server, "/echo");

        var session = Assert.Single(server.Services.GetRequiredService<SessionRegistry>().Snapshot());

        Assert.Equal(direct, session.SendsDirect);
    }

    [Theory]
    [InlineData("pipechat")]
    [InlineData("kestrel")]
    public async Task Plain_http_answers_and_closes(string transport)
    {
        await using var server = await TestServer.StartAsync("--transport", transport);
        using var http = new HttpClient();

        var response = await http.GetAsync(new Uri($"http://127.0.0.1:{server.Port}/healthz"));

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public void An_unknown_transport_stops_start_up_naming_the_setting()
    {
        var error = Assert.Throws<ConfigurationException>(() => PipeChatHost.Build(["--transport", "uring"]));

        Assert.Contains("--transport", error.Message, StringComparison.Ordinal);
        Assert.Contains("uring", error.Message, StringComparison.Ordinal);
    }

    private static async Task<ClientWebSocket> ConnectAsync(TestServer server, string path)
    {
        var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(server.WebSocketUri(path), timeout.Token);
        return socket;
    }

    private static async Task<(WebSocketMessageType Type, byte[] Payload)> ReceiveMessageAsync(ClientWebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (result.MessageType, message.ToArray());
            }
        }
    }
}
