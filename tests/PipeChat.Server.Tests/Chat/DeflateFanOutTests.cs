using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Connections;
using PipeChat.Server.Tests.Conformance;
using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Chat;

/// <summary>
/// A room message reaches members with and without permessage-deflate: the ones that negotiated
/// it share one compressed frame (compressed once), the others get the plain frame.
/// </summary>
public sealed class DeflateFanOutTests
{
    private static void Deflate(ClientWebSocketOptions options)
        => options.DangerousDeflateOptions = new WebSocketDeflateOptions { ClientContextTakeover = false, ServerContextTakeover = false };

    private static async Task JoinAsync(ChatClient client, string roomId)
    {
        var reference = client.NewRef();
        await client.SendAsync($$"""{"type":"join","data":{"roomid":"{{roomId}}"},"ref":"{{reference}}"}""");
        await client.ExpectAsync(m => ChatClient.Ref(m) == reference);
    }

    private static async Task<RawWebSocketClient> RawJoinAsync(TestServer server, string user, string? extensions)
    {
        var client = await RawWebSocketClient.ConnectAsync(server.Port, "/" + user, TimeSpan.FromSeconds(10), extensions);
        await DeflateConformanceTests.ReceiveMessageAsync(client); // welcome
        await client.SendFrameAsync(WebSocketOpcode.Text, Encoding.UTF8.GetBytes("""{"type":"join","data":{"roomid":"live"},"ref":"j"}"""));
        while (!Encoding.UTF8.GetString((await DeflateConformanceTests.ReceiveMessageAsync(client)).Payload).Contains("\"joined\"", StringComparison.Ordinal))
        {
        }

        return client;
    }

    /// <summary>Skips presence events up to the room message.</summary>
    private static async Task<(WebSocketOpcode Opcode, bool Compressed, byte[] Payload)> ReceiveRoomMessageAsync(RawWebSocketClient client)
    {
        while (true)
        {
            var message = await DeflateConformanceTests.ReceiveMessageAsync(client);
            if (Encoding.UTF8.GetString(message.Payload).StartsWith("{\"type\":\"room\"", StringComparison.Ordinal))
            {
                return message;
            }
        }
    }

    [Fact]
    public async Task Room_message_is_compressed_once_for_every_deflate_member_and_sent_plain_to_the_others()
    {
        await using var server = await TestServer.StartAsync();
        var codec = server.Services.GetRequiredService<ServerContext>().Deflate!;
        await using var alice = await ChatClient.ConnectAsync(server, "/alice", Deflate);
        await using var bob = await ChatClient.ConnectAsync(server, "/bob", Deflate);
        await using var carol = await ChatClient.ConnectAsync(server, "/carol");
        await JoinAsync(alice, "live");
        await JoinAsync(bob, "live");
        await JoinAsync(carol, "live");
        await using var dave = await RawJoinAsync(server, "dave", "permessage-deflate; client_max_window_bits");
        await using var erin = await RawJoinAsync(server, "erin", null);
        await alice.SyncAsync();
        await bob.SyncAsync();
        await carol.SyncAsync();
        var before = codec.MessagesCompressed;

        var text = string.Concat(Enumerable.Repeat("今晚直播的主题是 permessage-deflate ", 40));
        await alice.SendAsync($$$"""{"type":"room","data":{"roomid":"live","data":{"text":"{{{text}}}"}},"ref":"m1"}""");

        var toBob = await bob.ExpectAsync(Messages.OfType("room"));
        var toCarol = await carol.ExpectAsync(Messages.OfType("room"));
        Assert.Equal(toBob.Raw, toCarol.Raw);
        Assert.Contains(text, toBob.Raw, StringComparison.Ordinal);

        var toDave = await ReceiveRoomMessageAsync(dave);
        var toErin = await ReceiveRoomMessageAsync(erin);
        Assert.True(toDave.Compressed, "a member that negotiated deflate gets the compressed frame");
        Assert.False(toErin.Compressed, "a member without it gets the plain frame");
        Assert.Equal(toBob.Raw, Encoding.UTF8.GetString(toDave.Payload));
        Assert.Equal(toBob.Raw, Encoding.UTF8.GetString(toErin.Payload));
        Assert.Equal(before + 1, codec.MessagesCompressed);
    }

    [Fact]
    public async Task Deflate_client_messages_in_and_out_with_the_dotnet_client()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice", Deflate);
        await using var bob = await ChatClient.ConnectAsync(server, "/bob", Deflate);
        await JoinAsync(alice, "r");
        await JoinAsync(bob, "r");

        for (var size = 10; size <= 40_000; size *= 4)
        {
            var text = new string('x', size);
            await alice.SendAsync("{\"type\":\"room\",\"data\":{\"roomid\":\"r\",\"data\":{\"text\":\"" + text + "\"}}}");
            var received = await bob.ExpectAsync(m => m.Type == "room" && m.Raw.Contains(text, StringComparison.Ordinal));
            Assert.Equal(size, received.Data.GetProperty("data").GetProperty("text").GetString()!.Length);
        }
    }
}
