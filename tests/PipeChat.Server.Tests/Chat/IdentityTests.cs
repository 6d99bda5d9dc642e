using System.Net;
using System.Net.WebSockets;
using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Chat;

public sealed class IdentityTests
{
    [Fact]
    public async Task Welcome_is_the_first_message_and_carries_the_id_from_the_path()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");

        Assert.Equal(1, alice.Welcome.Sequence);
        Assert.Equal("alice", alice.Welcome.Data.Str("id"));
        Assert.Equal("pipechat", alice.Welcome.Data.Str("server"));
        Assert.True(alice.Welcome.Data.Num("conn") > 0);
    }

    [Fact]
    public async Task Id_comes_from_the_id_query_parameter_on_the_root_path()
    {
        await using var server = await TestServer.StartAsync();
        await using var bob = await ChatClient.ConnectAsync(server, "/?id=bob");

        Assert.Equal("bob", bob.Id);
    }

    [Fact]
    public async Task Connection_numbers_differ_between_connections()
    {
        await using var server = await TestServer.StartAsync();
        await using var a = await ChatClient.ConnectAsync(server, "/alice");
        await using var b = await ChatClient.ConnectAsync(server, "/alice");

        Assert.NotEqual(a.Welcome.Data.Num("conn"), b.Welcome.Data.Num("conn"));
    }

    [Theory]
    [InlineData("/bad%20id")]
    [InlineData("/a*b")]
    [InlineData("/?id=a%2Fb")]
    [InlineData("/?id=")]
    [InlineData("/alice/extra")]
    [InlineData("/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task Bad_id_is_refused_with_400_at_the_handshake(string pathAndQuery)
    {
        await using var server = await TestServer.StartAsync();

        Assert.Equal(HttpStatusCode.BadRequest, await ChatClient.RefusedStatusAsync(server, pathAndQuery));
    }

    [Fact]
    public async Task Missing_id_upgrade_on_root_is_refused_with_400()
    {
        await using var server = await TestServer.StartAsync();

        Assert.Equal(HttpStatusCode.BadRequest, await ChatClient.RefusedStatusAsync(server, "/"));
    }

    [Fact]
    public async Task Missing_id_status_is_400_on_the_wire()
    {
        await using var server = await TestServer.StartAsync();
        using var raw = await RawWebSocketClient.OpenAsync(server.Port);

        var head = await raw.UpgradeAsync("/");

        Assert.Equal(400, RawWebSocketClient.StatusOf(head));
    }

    [Fact]
    public async Task Third_connection_of_a_user_over_a_cap_of_two_gets_429()
    {
        await using var server = await TestServer.StartAsync("--max-connections-per-user", "2");
        await using var first = await ChatClient.ConnectAsync(server, "/alice");
        await using var second = await ChatClient.ConnectAsync(server, "/alice");

        Assert.Equal(HttpStatusCode.TooManyRequests, await ChatClient.RefusedStatusAsync(server, "/alice"));
        await using var other = await ChatClient.ConnectAsync(server, "/bob");
        Assert.Equal("bob", other.Id);
    }

    [Fact]
    public async Task Origin_not_on_the_allow_list_is_refused_with_403()
    {
        await using var server = await TestServer.StartAsync("--allowed-origins", "https://a.example");

        var status = await ChatClient.RefusedStatusAsync(server, "/alice", o => o.SetRequestHeader("Origin", "https://b.example"));

        Assert.Equal(HttpStatusCode.Forbidden, status);
    }

    [Fact]
    public async Task Origin_on_the_allow_list_and_no_origin_are_accepted()
    {
        await using var server = await TestServer.StartAsync("--allowed-origins", "https://a.example");

        await using var browser = await ChatClient.ConnectAsync(server, "/alice", o => o.SetRequestHeader("Origin", "https://a.example"));
        await using var native = await ChatClient.ConnectAsync(server, "/bob");

        Assert.Equal("alice", browser.Id);
        Assert.Equal("bob", native.Id);
    }

    [Fact]
    public async Task Healthz_answers_200()
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient { Timeout = ChatClient.DefaultTimeout };

        var response = await http.GetAsync(new Uri($"http://127.0.0.1:{server.Port}/healthz"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Metrics_lists_open_connections()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        using var http = new HttpClient { Timeout = ChatClient.DefaultTimeout };

        var text = await http.GetStringAsync(server.HttpUri("/metrics"));

        Assert.Equal(1, Diagnostics.MetricsText.Value(text, "pipechat_connections_open"));
    }

    [Fact]
    public async Task Simultaneous_connects_over_the_per_user_cap_admit_exactly_the_cap()
    {
        await using var server = await TestServer.StartAsync("--max-connections-per-user", "1");

        // Every socket stays open until all outcomes are in: a welcomed one that closed early would
        // free its place for a later handshake, which is the cap working, not a breach.
        var sockets = new System.Collections.Concurrent.ConcurrentBag<ClientWebSocket>();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            var socket = new ClientWebSocket();
            sockets.Add(socket);
            socket.Options.CollectHttpResponseDetails = true;
            using var timeout = new CancellationTokenSource(ChatClient.DefaultTimeout);
            try
            {
                await socket.ConnectAsync(server.WebSocketUri("/alice"), timeout.Token);
            }
            catch (WebSocketException)
            {
                return socket.HttpStatusCode == HttpStatusCode.TooManyRequests ? "refused" : "status " + socket.HttpStatusCode;
            }

            // A surplus connection that won the handshake race is closed (1008) before any message.
            var first = await socket.ReceiveAsync(new byte[4096], timeout.Token);
            return first.MessageType == WebSocketMessageType.Close
                ? first.CloseStatus == WebSocketCloseStatus.PolicyViolation ? "refused" : "closed " + first.CloseStatus
                : "welcomed";
        }));

        foreach (var socket in sockets)
        {
            socket.Dispose();
        }

        Assert.Equal(1, outcomes.Count(o => o == "welcomed"));
        Assert.Equal(7, outcomes.Count(o => o == "refused"));
    }
}
