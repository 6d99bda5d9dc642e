using System.Net;
using System.Net.WebSockets;
using System.Text;
using PipeChat.Server.Auth;
using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Chat;

/// <summary>The finer points of docs/protocol.md, each checked over a real socket.</summary>
public sealed class ProtocolDetailTests
{
    private const string Secret = "a-test-secret-that-is-at-least-32-bytes-long";

    private static async Task<Received> RequestAsync(ChatClient client, string json)
    {
        await client.SendAsync(json);
        return await client.ExpectAsync(m => m.Type != "join" && m.Type != "leave" && m.Type != "room" && m.Type != "notice" && m.Type != "broadcast");
    }

    [Fact]
    public async Task Fragmented_text_message_is_handled_as_one_request()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        using var timeout = new CancellationTokenSource(ChatClient.DefaultTimeout);

        await alice.SendFragmentsAsync("""{"type":"pi""", """ng","ref":"frag"}""");

        await alice.ExpectAsync(Messages.WithRef("pong", "frag"));
    }

    [Fact]
    public async Task Json_escapes_in_the_room_id_are_decoded_and_written_back_escaped()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");

        var joined = await RequestAsync(alice, """{"type":"join","data":{"roomid":"a\"b\\c\u4e2d"}}""");
        Assert.Equal("joined", joined.Type);
        Assert.Equal("a\"b\\c中", joined.Data.Str("roomid"));

        var same = await RequestAsync(bob, """{"type":"join","data":{"roomid":"a\"b\\c中"}}""");
        Assert.Equal(2, same.Data.Num("count"));

        await bob.SendAsync("""{"type":"room","data":{"roomid":"a\"b\\c中","data":"x"}}""");
        Assert.Equal("a\"b\\c中", (await alice.ExpectAsync(Messages.OfType("room"))).Data.Str("roomid"));
    }

    [Fact]
    public async Task Escaped_room_id_names_the_same_room()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");
        await RequestAsync(alice, """{"type":"join","data":{"roomid":"r1"}}""");

        var joined = await RequestAsync(bob, """{"type":"join","data":{"roomid":"r\u0031"}}""");

        Assert.Equal("r1", joined.Data.Str("roomid"));
        Assert.Equal(2, joined.Data.Num("count"));
    }

    [Fact]
    public async Task Field_order_does_not_matter_and_the_last_duplicate_key_wins()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");

        var joined = await RequestAsync(alice, """{"ref":"o","data":{"roomid":"first","roomid":"r2"},"type":"join"}""");

        var epoch = joined.Data.Str("epoch");
        Assert.Equal($$"""{"type":"joined","data":{"roomid":"r2","count":1,"seq":0,"epoch":"{{epoch}}"},"ref":"o"}""", joined.Raw);
    }

    [Fact]
    public async Task String_ref_is_echoed_byte_for_byte_escapes_included()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");

        var pong = await RequestAsync(alice, """{"type":"ping","ref":"a\"b\u0041"}""");

        Assert.Equal("""{"type":"pong","ref":"a\"b\u0041"}""", pong.Raw);
    }

    [Fact]
    public async Task History_of_a_room_not_joined_is_not_in_room()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");

        var reply = await RequestAsync(alice, """{"type":"history","data":{"roomid":"r1","before":100,"limit":50},"ref":"h"}""");

        Assert.Equal("not_in_room", Messages.ErrorCode(reply));
        Assert.Equal("h", ChatClient.Ref(reply));
    }

    [Theory]
    [InlineData("""{"type":"join","data":{"roomid":"r1","since":-1}}""")]
    [InlineData("""{"type":"join","data":{"roomid":"r1","since":"5"}}""")]
    [InlineData("""{"type":"join","data":{"roomid":"r1","epoch":{}}}""")]
    public async Task Join_with_a_bad_since_or_epoch_is_bad_request(string json)
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");

        Assert.Equal("bad_request", Messages.ErrorCode(await RequestAsync(alice, json)));
    }

    [Fact]
    public async Task Join_with_a_valid_since_and_epoch_is_accepted()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");

        Assert.Equal("joined", (await RequestAsync(alice, """{"type":"join","data":{"roomid":"r1","since":5,"epoch":"e1"}}""")).Type);
    }

    [Fact]
    public async Task Nesting_deeper_than_64_levels_is_bad_json()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");
        var deep = new string('[', 70) + new string(']', 70);

        var reply = await RequestAsync(alice, """{"type":"notice","data":{"id":"bob","data":""" + deep + "}}");

        Assert.Equal("bad_json", Messages.ErrorCode(reply));
    }

    [Fact]
    public async Task Text_that_is_not_utf8_closes_with_1007()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");

        await alice.SendAsync([(byte)'{', 0xC3, 0x28, (byte)'}'], WebSocketMessageType.Text);

        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, await alice.Closed.WaitAsync(ChatClient.DefaultTimeout));
    }

    [Fact]
    public async Task Query_with_both_roomid_and_id_answers_for_the_room()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await alice.JoinAsync("r1");

        var reply = await RequestAsync(alice, """{"type":"query","data":{"id":"alice","roomid":"r1"}}""");

        Assert.Equal("members", reply.Type);
    }

    [Fact]
    public async Task Room_counts_connections_in_joined_and_distinct_users_in_a_query()
    {
        await using var server = await TestServer.StartAsync();
        await using var phone = await ChatClient.ConnectAsync(server, "/alice");
        await using var desk = await ChatClient.ConnectAsync(server, "/alice");
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");
        await RequestAsync(phone, """{"type":"join","data":{"roomid":"r1"}}""");
        await RequestAsync(desk, """{"type":"join","data":{"roomid":"r1"}}""");

        var joined = await RequestAsync(bob, """{"type":"join","data":{"roomid":"r1"}}""");
        var members = await RequestAsync(bob, """{"type":"query","data":{"roomid":"r1"}}""");

        Assert.Equal(3, joined.Data.Num("count"));
        Assert.Equal(2, members.Data.Num("count"));
        Assert.Equal(["alice", "bob"], members.Data.GetProperty("members").EnumerateArray().Select(e => e.GetString()!).Order());
        Assert.False(members.Data.GetProperty("truncated").GetBoolean());
    }

    [Fact]
    public async Task Room_message_near_the_payload_limit_arrives_intact()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await RequestAsync(alice, """{"type":"join","data":{"roomid":"r1"}}""");
        var text = string.Concat(Enumerable.Repeat("中文emoji😀", 3000));

        await alice.SendAsync("{\"type\":\"room\",\"data\":{\"roomid\":\"r1\",\"data\":\"" + text + "\"}}");

        Assert.Equal(text, (await alice.ExpectAsync(Messages.OfType("room"))).Data.GetProperty("data").GetString());
    }

    [Fact]
    public async Task Rejoining_after_leave_sends_a_join_event_again()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");
        await RequestAsync(alice, """{"type":"join","data":{"roomid":"r1"}}""");
        await RequestAsync(bob, """{"type":"join","data":{"roomid":"r1"}}""");
        await RequestAsync(bob, """{"type":"leave","data":{"roomid":"r1"}}""");
        await RequestAsync(bob, """{"type":"join","data":{"roomid":"r1"}}""");

        var events = (await alice.SyncAsync()).Where(m => m.Type is "join" or "leave").Select(m => m.Type + ":" + m.Data.Str("id")).ToList();

        Assert.Equal(["join:bob", "leave:bob", "join:bob"], events);
    }

    [Fact]
    public async Task Closing_connection_leaves_every_room_it_joined()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        var bob = await ChatClient.ConnectAsync(server, "/bob");
        await RequestAsync(alice, """{"type":"join","data":{"roomid":"r1"}}""");
        await RequestAsync(alice, """{"type":"join","data":{"roomid":"r2"}}""");
        await RequestAsync(bob, """{"type":"join","data":{"roomid":"r1"}}""");
        await RequestAsync(bob, """{"type":"join","data":{"roomid":"r2"}}""");

        await bob.CloseAsync();
        await bob.DisposeAsync();

        var r1 = await alice.ExpectAsync(m => m.Type == "leave" && m.Data.Str("roomid") == "r1");
        var r2 = await alice.ExpectAsync(m => m.Type == "leave" && m.Data.Str("roomid") == "r2");
        Assert.Equal("bob", r1.Data.Str("id"));
        Assert.Equal("bob", r2.Data.Str("id"));
    }

    [Fact]
    public async Task Percent_encoded_id_in_the_path_is_decoded()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await ChatClient.ConnectAsync(server, "/user%40example.com");

        Assert.Equal("user@example.com", client.Id);
    }

    [Fact]
    public async Task Per_user_cap_applies_to_token_connections_too()
    {
        await using var server = await TestServer.StartAsync("--auth-secret", Secret, "--max-connections-per-user", "1");
        var token = TokenIssuer.Create(Secret, "alice", TimeSpan.FromMinutes(5));
        await using var first = await ChatClient.ConnectAsync(server, "/?token=" + token);

        Assert.Equal(HttpStatusCode.TooManyRequests, await ChatClient.RefusedStatusAsync(server, "/?token=" + token));
    }

    [Fact]
    public async Task Query_token_takes_precedence_over_the_authorization_header()
    {
        await using var server = await TestServer.StartAsync("--auth-secret", Secret);
        var good = TokenIssuer.Create(Secret, "alice", TimeSpan.FromMinutes(5));
        var forged = TokenIssuer.Create("another-secret-of-at-least-32-bytes-xxxxx", "alice", TimeSpan.FromMinutes(5));

        var status = await ChatClient.RefusedStatusAsync(server, "/?token=" + forged, o => o.SetRequestHeader("Authorization", "Bearer " + good));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Fact]
    public async Task Welcome_json_is_the_documented_shape()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");

        var conn = alice.Welcome.Data.Num("conn").ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("""{"type":"welcome","data":{"id":"alice","conn":""" + conn + ""","server":"pipechat"}}""", alice.Welcome.Raw);
    }

    [Fact]
    public async Task Chat_path_without_upgrade_gets_426()
    {
        await using var server = await TestServer.StartAsync();
        using var raw = await RawWebSocketClient.OpenAsync(server.Port);

        Assert.Equal(426, RawWebSocketClient.StatusOf(await raw.GetAsync("/alice")));
    }

    [Fact]
    public async Task Every_message_is_a_text_frame_with_valid_json()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");

        // The client parses every frame with System.Text.Json and would fail on plain text.
        await alice.SendAsync(Encoding.UTF8.GetBytes("garbage"), WebSocketMessageType.Text);

        Assert.Equal("bad_json", Messages.ErrorCode(await alice.ExpectAsync(Messages.OfType("error"))));
    }
    [Theory]
    [InlineData("-1.5e3")]
    [InlineData("12345678901234567890123")]
    [InlineData("\"\"")]
    public async Task Unusual_refs_are_echoed_byte_for_byte(string reference)
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");

        var pong = await RequestAsync(alice, """{"type":"ping","ref":""" + reference + "}");

        Assert.Equal("""{"type":"pong","ref":""" + reference + "}", pong.Raw);
    }

    [Fact]
    public async Task Long_string_ref_is_echoed()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        var reference = new string('r', 5000);

        var error = await RequestAsync(alice, "{\"type\":\"leave\",\"data\":{\"roomid\":\"x\"},\"ref\":\"" + reference + "\"}");

        Assert.Equal(reference, ChatClient.Ref(error));
    }

    [Theory]
    [InlineData("""{"type":"ping","ref":null}""")]
    [InlineData("""{"type":"ping","ref":true}""")]
    [InlineData("""{"type":"ping","ref":[1]}""")]
    [InlineData("""{"type":"notice","data":{"id":"","data":1}}""")]
    [InlineData("""{"type":"notice","data":{"id":5,"data":1}}""")]
    [InlineData("""{"type":"query","data":{"id":""}}""")]
    [InlineData("""{"type":"join","data":"r1"}""")]
    [InlineData("""{"type":"join","data":{"roomid":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}}""")]
    public async Task More_bad_fields_are_bad_request(string json)
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");

        Assert.Equal("bad_request", Messages.ErrorCode(await RequestAsync(alice, json)));
        Assert.Equal("pong", (await RequestAsync(alice, """{"type":"ping"}""")).Type);
    }

    [Fact]
    public async Task Room_id_of_exactly_128_bytes_is_accepted()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        var roomId = new string('a', 125) + "中";

        var joined = await RequestAsync(alice, "{\"type\":\"join\",\"data\":{\"roomid\":\"" + roomId + "\"}}");

        Assert.Equal(roomId, joined.Data.Str("roomid"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\uFEFF{\"type\":\"ping\"}")]
    public async Task Empty_blank_or_bom_prefixed_text_is_bad_json(string text)
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");

        Assert.Equal("bad_json", Messages.ErrorCode(await RequestAsync(alice, text)));
    }

    [Fact]
    public async Task Bad_json_after_the_ref_carries_the_ref()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");

        var error = await RequestAsync(alice, """{"ref":"early","type":""");

        Assert.Equal("bad_json", Messages.ErrorCode(error));
        Assert.Equal("early", ChatClient.Ref(error));
    }

    [Fact]
    public async Task Room_id_with_a_lone_surrogate_escape_does_not_break_the_connection()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");

        var reply = await RequestAsync(alice, """{"type":"join","data":{"roomid":"\ud800"}}""");

        Assert.Contains(reply.Type, new[] { "joined", "error" });
        Assert.Equal("pong", (await RequestAsync(alice, """{"type":"ping"}""")).Type);
    }

    [Fact]
    public async Task Null_is_a_notice_payload_like_any_other_json()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");

        await alice.SendAsync("""{"type":"notice","data":{"id":"alice","data":null}}""");

        Assert.Equal("""{"type":"notice","from":"alice","data":null}""", (await alice.ExpectAsync(_ => true)).Raw);
    }
}
