using System.Net.WebSockets;
using System.Text;
using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Chat;

/// <summary>Bad requests get an error reply and the connection stays open.</summary>
public sealed class ErrorTests
{
    /// <summary>After an error the same connection still works: a ping gets its pong.</summary>
    private static async Task AssertStillUpAsync(ChatClient client)
    {
        await client.SendAsync("""{"type":"ping","ref":"alive"}""");
        await client.ExpectAsync(Messages.WithRef("pong", "alive"));
        Assert.Equal(WebSocketState.Open, client.State);
    }

    [Theory]
    [InlineData("""{"type":""")]
    [InlineData("not json at all")]
    [InlineData("""{"type":"ping"} trailing""")]
    [InlineData("""["type","ping"]""")]
    [InlineData("42")]
    [InlineData("""{"type":"ping",}""")]
    public async Task Bad_json_gets_bad_json_and_the_connection_stays_up(string text)
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");

        await alice.SendAsync(text);

        var error = await alice.ExpectAsync(Messages.OfType("error"));
        Assert.Equal("bad_json", error.Data.Str("code"));
        Assert.False(string.IsNullOrEmpty(error.Data.Str("message")));
        await AssertStillUpAsync(alice);
    }

    [Theory]
    [InlineData("""{"data":{}}""")]
    [InlineData("""{"type":7}""")]
    [InlineData("""{"type":"join"}""")]
    [InlineData("""{"type":"join","data":{}}""")]
    [InlineData("""{"type":"join","data":{"roomid":""}}""")]
    [InlineData("""{"type":"join","data":{"roomid":5}}""")]
    [InlineData("""{"type":"leave","data":{}}""")]
    [InlineData("""{"type":"notice","data":{"id":"bob"}}""")]
    [InlineData("""{"type":"notice","data":{"data":{"info":"x"}}}""")]
    [InlineData("""{"type":"room","data":{"roomid":"r1"}}""")]
    [InlineData("""{"type":"broadcast"}""")]
    [InlineData("""{"type":"query","data":{}}""")]
    [InlineData("""{"type":"ping","ref":{"a":1}}""")]
    public async Task Bad_fields_get_bad_request_and_the_connection_stays_up(string text)
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");

        await alice.SendAsync(text);

        var error = await alice.ExpectAsync(Messages.OfType("error"));
        Assert.Equal("bad_request", error.Data.Str("code"));
        await AssertStillUpAsync(alice);
    }

    [Fact]
    public async Task Notice_without_id_or_data_says_so_as_the_original_wrong_parameter_format()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");

        await alice.SendAsync("""{"type":"notice","data":{"id":"bob"},"ref":"n"}""");

        var error = await alice.ExpectAsync(Messages.OfType("error"));
        Assert.Equal("""{"type":"error","data":{"code":"bad_request","message":"notice needs data.id and data.data"},"ref":"n"}""", error.Raw);
    }

    [Fact]
    public async Task Unknown_type_gets_unknown_type_with_the_ref()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");

        await alice.SendAsync("""{"type":"dance","data":{},"ref":"u1"}""");

        var error = await alice.ExpectAsync(Messages.OfType("error"));
        Assert.Equal("unknown_type", error.Data.Str("code"));
        Assert.Equal("u1", ChatClient.Ref(error));
        await AssertStillUpAsync(alice);
    }

    [Fact]
    public async Task Type_names_are_case_sensitive()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");

        await alice.SendAsync("""{"type":"PING","ref":1}""");

        var error = await alice.ExpectAsync(Messages.OfType("error"));
        Assert.Equal("unknown_type", error.Data.Str("code"));
        Assert.Equal("1", ChatClient.Ref(error));
    }

    [Fact]
    public async Task Binary_message_gets_an_error_and_the_connection_stays_up()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");

        await alice.SendAsync(Encoding.UTF8.GetBytes("""{"type":"ping"}"""), WebSocketMessageType.Binary);

        var error = await alice.ExpectAsync(Messages.OfType("error"));
        Assert.Equal("bad_request", error.Data.Str("code"));
        await AssertStillUpAsync(alice);
    }

    [Fact]
    public async Task Request_over_the_chat_payload_limit_is_too_large_and_the_connection_stays_up()
    {
        await using var server = await TestServer.StartAsync("--max-chat-payload-bytes", "256");
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");

        var big = new string('x', 300);
        await alice.SendAsync($$$"""{"type":"notice","data":{"id":"bob","data":"{{{big}}}"}}""");

        Assert.Equal("too_large", Messages.ErrorCode(await alice.ExpectAsync(Messages.OfType("error"))));
        Assert.DoesNotContain(await bob.SyncAsync(), m => m.Type == "notice");
        await AssertStillUpAsync(alice);

        await alice.SendAsync($$$"""{"type":"notice","data":{"id":"bob","data":"{{{new string('y', 100)}}}"}}""");
        Assert.Equal(new string('y', 100), (await bob.ExpectAsync(Messages.OfType("notice"))).Json.GetProperty("data").GetString());
    }

    [Fact]
    public async Task Message_over_the_websocket_message_limit_closes_with_1009()
    {
        await using var server = await TestServer.StartAsync("--max-message-bytes", "1024");
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");

        await alice.SendAsync($$"""{"type":"broadcast","data":"{{new string('x', 2000)}}"}""");

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await alice.Closed.WaitAsync(ChatClient.DefaultTimeout));
    }

    [Fact]
    public async Task Error_reply_carries_a_numeric_ref_unchanged()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");

        await alice.SendAsync("""{"type":"leave","data":{"roomid":"nope"},"ref":12.5}""");

        var error = await alice.ExpectAsync(Messages.OfType("error"));
        Assert.EndsWith(""","ref":12.5}""", error.Raw, StringComparison.Ordinal);
    }
}
