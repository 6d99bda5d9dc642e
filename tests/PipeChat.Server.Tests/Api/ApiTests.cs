using System.Net.WebSockets;
using System.Text.Json;
using PipeChat.Server.Tests.Chat;
using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Api;

/// <summary>Every server API endpoint end to end: real WebSocket clients receive what the API sent.</summary>
public sealed class ApiTests
{
    [Fact]
    public async Task Publish_reaches_every_member_with_the_rooms_next_seq_in_the_members_envelope()
    {
        await using var server = await TestServer.StartAsync(ApiClient.ServerArgs);
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");
        await JoinAsync(alice, "r1");
        await JoinAsync(bob, "r1");
        await alice.SendAsync("""{"type":"room","data":{"roomid":"r1","data":{"text":"first"}},"ref":"m1"}""");
        Assert.Equal(1, (await alice.ExpectAsync(Messages.OfType("ack"))).Data.Num("seq"));

        var response = await ApiClient.PostAsync(server.HttpPort, "/api/publish", """{"roomid":"r1","from":"system","data":{"text":"order 7 shipped","n":[1,"二"]}}""");

        Assert.Equal(200, response.Status);
        Assert.Equal("application/json", response.ContentType);
        Assert.Equal("""{"seq":2}""", response.Body);
        foreach (var member in new[] { alice, bob })
        {
            await member.ExpectAsync(m => m.Type == "room" && m.Data.Num("seq") == 1);
            var message = await member.ExpectAsync(m => m.Type == "room" && m.Data.Num("seq") == 2);
            var ts = message.Data.Num("ts");
            Assert.Equal($$$$"""{"type":"room","data":{"roomid":"r1","from":"system","seq":2,"ts":{{{{ts}}}},"data":{"text":"order 7 shipped","n":[1,"二"]}}}""", message.Raw);
        }

        // The room's seq carries on for members, and the API's message is in the history.
        await bob.SendAsync("""{"type":"room","data":{"roomid":"r1","data":"after"},"ref":"m2"}""");
        Assert.Equal(3, (await bob.ExpectAsync(Messages.OfType("ack"))).Data.Num("seq"));
        await alice.SendAsync("""{"type":"history","data":{"roomid":"r1"},"ref":"h"}""");
        var history = await alice.ExpectAsync(Messages.OfType("history"));
        Assert.Equal(new[] { "alice", "system", "bob" }, history.Data.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("data").Str("from")));
    }

    [Fact]
    public async Task Publish_to_a_room_with_no_member_numbers_and_keeps_the_message_for_the_first_joiner()
    {
        await using var server = await TestServer.StartAsync(ApiClient.ServerArgs);

        Assert.Equal("""{"seq":1}""", (await ApiClient.PostAsync(server.HttpPort, "/api/publish", """{"roomid":"empty","from":"teacher","data":"class starts at 9"}""")).Body);
        Assert.Equal("""{"seq":2}""", (await ApiClient.PostAsync(server.HttpPort, "/api/publish", """{"roomid":"empty","from":"teacher","data":"bring a pen"}""")).Body);

        await using var carol = await ChatClient.ConnectAsync(server, "/carol");
        var joined = await JoinAsync(carol, "empty", ",\"since\":0");
        Assert.Equal(2, joined.Data.Num("seq"));
        Assert.Equal("class starts at 9", (await carol.ExpectAsync(m => m.Type == "room" && m.Data.Num("seq") == 1)).Data.Str("data"));
        Assert.Equal("bring a pen", (await carol.ExpectAsync(m => m.Type == "room" && m.Data.Num("seq") == 2)).Data.Str("data"));
    }

    [Fact]
    public async Task Notice_reaches_every_connection_of_the_user_and_says_whether_anyone_was_online()
    {
        await using var server = await TestServer.StartAsync(ApiClient.ServerArgs);
        await using var phone = await ChatClient.ConnectAsync(server, "/bob");
        await using var desk = await ChatClient.ConnectAsync(server, "/?id=bob");

        var online = await ApiClient.PostAsync(server.HttpPort, "/api/notice", """{"id":"bob","from":"shop","data":{"info":"your order shipped"}}""");
        var offline = await ApiClient.PostAsync(server.HttpPort, "/api/notice", """{"id":"nobody","from":"shop","data":{"info":"lost"}}""");

        Assert.Equal((200, """{"online":true}"""), (online.Status, online.Body));
        Assert.Equal((200, """{"online":false}"""), (offline.Status, offline.Body));
        foreach (var connection in new[] { phone, desk })
        {
            var notice = await connection.ExpectAsync(Messages.OfType("notice"));
            Assert.Equal("""{"type":"notice","from":"shop","data":{"info":"your order shipped"}}""", notice.Raw);
        }
    }

    [Fact]
    public async Task Broadcast_reaches_every_connection()
    {
        await using var server = await TestServer.StartAsync([.. ApiClient.ServerArgs, "--allow-broadcast", "false"]);
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");

        // Clients may not broadcast on this server; the backend still may.
        var response = await ApiClient.PostAsync(server.HttpPort, "/api/broadcast", """{"from":"ops","data":{"text":"maintenance at 22:00"}}""");

        Assert.Equal((200, """{"ok":true}"""), (response.Status, response.Body));
        foreach (var client in new[] { alice, bob })
        {
            var message = await client.ExpectAsync(Messages.OfType("broadcast"));
            Assert.Equal("""{"type":"broadcast","from":"ops","data":{"text":"maintenance at 22:00"}}""", message.Raw);
        }
    }

    [Fact]
    public async Task Disconnect_closes_every_connection_of_the_user_with_1008_and_the_reason_and_no_one_else()
    {
        await using var server = await TestServer.StartAsync(ApiClient.ServerArgs);
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var phone = await ChatClient.ConnectAsync(server, "/bob");
        await using var desk = await ChatClient.ConnectAsync(server, "/bob");

        var response = await ApiClient.PostAsync(server.HttpPort, "/api/disconnect", """{"id":"bob","reason":"banned by a moderator"}""");
        var nobody = await ApiClient.PostAsync(server.HttpPort, "/api/disconnect", """{"id":"nobody"}""");

        Assert.Equal((200, """{"disconnected":true}"""), (response.Status, response.Body));
        Assert.Equal("""{"disconnected":false}""", nobody.Body);
        foreach (var connection in new[] { phone, desk })
        {
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, await connection.Closed.WaitAsync(ChatClient.DefaultTimeout));
            Assert.Equal("banned by a moderator", connection.CloseDescription);
        }

        await alice.SendAsync("""{"type":"ping","ref":1}""");
        await alice.ExpectAsync(Messages.OfType("pong"));
        Assert.Equal("""{"id":"bob","online":false,"connections":0}""", (await ApiClient.PostAsync(server.HttpPort, "/api/online", """{"id":"bob"}""")).Body);
    }

    [Fact]
    public async Task Disconnect_with_conn_closes_only_that_connection_with_the_default_reason()
    {
        await using var server = await TestServer.StartAsync(ApiClient.ServerArgs);
        await using var phone = await ChatClient.ConnectAsync(server, "/bob");
        await using var desk = await ChatClient.ConnectAsync(server, "/bob");
        var conn = desk.Welcome.Data.Num("conn");

        var response = await ApiClient.PostAsync(server.HttpPort, "/api/disconnect", $$"""{"id":"bob","conn":{{conn}}}""");

        Assert.Equal("""{"disconnected":true}""", response.Body);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await desk.Closed.WaitAsync(ChatClient.DefaultTimeout));
        Assert.Equal("disconnected by the server", desk.CloseDescription);
        await phone.SendAsync("""{"type":"ping","ref":1}""");
        await phone.ExpectAsync(Messages.OfType("pong"));
        Assert.False(phone.Closed.IsCompleted);
    }

    [Fact]
    public async Task Members_and_online_answer_what_a_members_query_would()
    {
        await using var server = await TestServer.StartAsync(ApiClient.ServerArgs);
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");
        await using var bob2 = await ChatClient.ConnectAsync(server, "/bob");
        await JoinAsync(alice, "r1");
        await JoinAsync(bob, "r1");

        var members = await ApiClient.PostAsync(server.HttpPort, "/api/members", """{"roomid":"r1"}""");
        var unknown = await ApiClient.PostAsync(server.HttpPort, "/api/members", """{"roomid":"nowhere"}""");
        var online = await ApiClient.PostAsync(server.HttpPort, "/api/online", """{"id":"bob"}""");

        Assert.Equal(200, members.Status);
        Assert.Equal(2, members.Json.GetProperty("count").GetInt32());
        Assert.Equal(new[] { "alice", "bob" }, members.Json.GetProperty("members").EnumerateArray().Select(e => e.GetString()).Order());
        Assert.False(members.Json.GetProperty("truncated").GetBoolean());
        Assert.Equal("""{"roomid":"nowhere","count":0,"members":[],"truncated":false}""", unknown.Body);
        Assert.Equal("""{"id":"bob","online":true,"connections":2}""", online.Body);
    }

    [Fact]
    public async Task Stats_count_connections_users_rooms_and_messages()
    {
        await using var server = await TestServer.StartAsync(ApiClient.ServerArgs);
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");
        await JoinAsync(alice, "r1");
        await JoinAsync(bob, "r2");

        var get = await ApiClient.GetAsync(server.HttpPort, "/api/stats");
        var post = await ApiClient.PostAsync(server.HttpPort, "/api/stats", "{}");

        Assert.Equal(200, get.Status);
        Assert.Equal(200, post.Status);
        var stats = get.Json;
        Assert.Equal(2, stats.GetProperty("connections").GetInt64());
        Assert.Equal(2, stats.GetProperty("users").GetInt32());
        Assert.Equal(2, stats.GetProperty("rooms").GetInt32());
        Assert.True(stats.GetProperty("messagesIn").GetInt64() >= 2);
        Assert.True(stats.GetProperty("messagesOut").GetInt64() >= 4);
        Assert.True(stats.GetProperty("messagesInPerSecond").GetDouble() >= 0);
        Assert.True(stats.GetProperty("messagesOutPerSecond").GetDouble() >= 0);
    }

    [Fact]
    public async Task Without_the_key_or_with_a_wrong_one_every_endpoint_is_401_and_nothing_is_sent()
    {
        await using var server = await TestServer.StartAsync(ApiClient.ServerArgs);
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");
        const string notice = """{"id":"bob","from":"x","data":1}""";

        var missing = await ApiClient.PostAsync(server.HttpPort, "/api/notice", notice, key: null);
        var wrong = await ApiClient.PostAsync(server.HttpPort, "/api/notice", notice, key: ApiClient.Key + "x");
        var prefix = await ApiClient.PostAsync(server.HttpPort, "/api/notice", notice, key: ApiClient.Key[..^1]);
        var wrongHeader = await ApiClient.PostAsync(server.HttpPort, "/api/notice", notice, key: "nope", header: "X-API-Key");
        var stats = await ApiClient.GetAsync(server.HttpPort, "/api/stats", key: null);

        foreach (var response in new[] { missing, wrong, prefix, wrongHeader, stats })
        {
            Assert.Equal(401, response.Status);
            Assert.Equal("application/problem+json", response.ContentType);
            Assert.Equal("unauthorized", response.Code);
            Assert.Equal(401, response.Json.GetProperty("status").GetInt32());
            Assert.Equal("urn:pipechat:api:unauthorized", response.Json.GetProperty("type").GetString());
        }

        Assert.Contains("Bearer", missing.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        var viaHeader = await ApiClient.PostAsync(server.HttpPort, "/api/notice", """{"id":"bob","from":"x","data":2}""", header: "X-API-Key");
        Assert.Equal("""{"online":true}""", viaHeader.Body);
        Assert.Equal(2, (await bob.ExpectAsync(Messages.OfType("notice"))).Json.GetProperty("data").GetInt32());
        Assert.Empty(await bob.SyncAsync());
    }

    [Fact]
    public async Task Without_a_configured_key_the_api_is_off_404()
    {
        await using var server = await TestServer.StartAsync();

        var publish = await ApiClient.PostAsync(server.HttpPort, "/api/publish", """{"roomid":"r1","from":"x","data":1}""");
        var stats = await ApiClient.GetAsync(server.HttpPort, "/api/stats");

        Assert.Equal((404, "not_found"), (publish.Status, publish.Code));
        Assert.Equal((404, "not_found"), (stats.Status, stats.Code));
    }

    public static TheoryData<string, string, string, string?> BadRequests => new()
    {
        { "/api/publish", """{"roomid":"r1","from":"x","data":{"a":1}""", "bad_json", null },
        { "/api/publish", """{"roomid":"r1","from":"x","data":1} trailing""", "bad_json", null },
        { "/api/publish", """[{"roomid":"r1","from":"x","data":1}]""", "bad_json", null },
        { "/api/publish", "", "bad_json", null },
        { "/api/publish", """{"from":"x","data":1}""", "missing_field", "roomid" },
        { "/api/publish", """{"roomid":"r1","data":1}""", "missing_field", "from" },
        { "/api/publish", """{"roomid":"r1","from":"x"}""", "missing_field", "data" },
        { "/api/publish", """{"roomid":7,"from":"x","data":1}""", "invalid_field", "roomid" },
        { "/api/publish", """{"roomid":"","from":"x","data":1}""", "invalid_field", "roomid" },
        { "/api/publish", $$"""{"roomid":"{{new string('r', 129)}}","from":"x","data":1}""", "invalid_field", "roomid" },
        { "/api/publish", """{"roomid":"r1","from":"not an id","data":1}""", "invalid_field", "from" },
        { "/api/notice", """{"id":"bob/x","from":"x","data":1}""", "invalid_field", "id" },
        { "/api/notice", """{"from":"x","data":1}""", "missing_field", "id" },
        { "/api/broadcast", """{"from":null,"data":1}""", "invalid_field", "from" },
        { "/api/disconnect", """{"id":"bob","conn":0}""", "invalid_field", "conn" },
        { "/api/disconnect", """{"id":"bob","conn":"7"}""", "invalid_field", "conn" },
        { "/api/disconnect", $$"""{"id":"bob","reason":"{{new string('x', 124)}}"}""", "invalid_field", "reason" },
        { "/api/members", """{"roomid":"\ud800"}""", "invalid_field", "roomid" },
        { "/api/online", """{}""", "missing_field", "id" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task A_bad_request_gets_400_problem_details_naming_the_field_and_delivers_nothing(string path, string body, string code, string? field)
    {
        await using var server = await TestServer.StartAsync(ApiClient.ServerArgs);
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");
        await JoinAsync(bob, "r1");

        var response = await ApiClient.PostAsync(server.HttpPort, path, body);

        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal(code, response.Code);
        Assert.Equal(field, response.Field);
        Assert.False(string.IsNullOrEmpty(response.Json.GetProperty("detail").GetString()));
        Assert.Empty(await bob.SyncAsync());
        Assert.False(bob.Closed.IsCompleted);

        // Nothing else lost: the next good request goes through with the room's first seq.
        Assert.Equal("""{"seq":1}""", (await ApiClient.PostAsync(server.HttpPort, "/api/publish", """{"roomid":"r1","from":"x","data":1}""")).Body);
        Assert.Equal(1, (await bob.ExpectAsync(Messages.OfType("room"))).Data.Num("seq"));
    }

    [Fact]
    public async Task Oversized_body_gets_413_and_nothing_is_delivered()
    {
        await using var server = await TestServer.StartAsync([.. ApiClient.ServerArgs, "--api-max-body-bytes", "1024"]);
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");
        await JoinAsync(bob, "r1");
        var payload = new string('x', 1100);

        var response = await ApiClient.PostAsync(server.HttpPort, "/api/publish", $$"""{"roomid":"r1","from":"x","data":"{{payload}}"}""");
        var fits = await ApiClient.PostAsync(server.HttpPort, "/api/publish", $$"""{"roomid":"r1","from":"x","data":"{{payload[..900]}}"}""");

        Assert.Equal((413, "too_large"), (response.Status, response.Code));
        Assert.Equal("""{"seq":1}""", fits.Body);
        Assert.Equal(900, (await bob.ExpectAsync(Messages.OfType("room"))).Data.Str("data").Length);
        Assert.Empty(await bob.SyncAsync());
    }

    [Fact]
    public async Task Unknown_endpoint_is_404_and_a_wrong_method_405_with_allow()
    {
        await using var server = await TestServer.StartAsync(ApiClient.ServerArgs);

        var unknown = await ApiClient.PostAsync(server.HttpPort, "/api/nothing", "{}");
        var get = await ApiClient.GetAsync(server.HttpPort, "/api/publish");

        Assert.Equal((404, "not_found"), (unknown.Status, unknown.Code));
        Assert.Equal((405, "method_not_allowed"), (get.Status, get.Code));
    }

    private static async Task<Received> JoinAsync(ChatClient client, string roomId, string extra = "")
    {
        await client.SendAsync($$"""{"type":"join","data":{"roomid":"{{roomId}}"{{extra}}},"ref":"j"}""");
        return await client.ExpectAsync(Messages.OfType("joined"));
    }
}
