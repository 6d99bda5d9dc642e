using System.Buffers;
using System.Text;
using System.Text.Json;
using PipeChat.Protocol.Chat;

namespace PipeChat.Protocol.Tests.Chat;

/// <summary>Every writer's output, read back by System.Text.Json's JsonDocument as the oracle.</summary>
public class ChatMessageWriterTests
{
    public static TheoryData<string> TrickyStrings => new()
    {
        "alice",
        "quote\"inside",
        "back\\slash",
        "ctrl\u0000\u0001\u0008\u0009\u000A\u000C\u000D\u001F\u007F",
        "中文用户",
        "emoji😀👨‍👩‍👧",
        "line\u2028sep",
        "</script>",
    };

    private static string Write(Action<ArrayBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    [Fact]
    public void Welcome_has_the_documented_bytes() =>
        Assert.Equal("""{"type":"welcome","data":{"id":"alice","conn":17,"server":"pipechat"}}""", Write(o => ChatMessageWriter.WriteWelcome(o, "alice", 17)));

    [Fact]
    public void Notice_has_the_documented_bytes() =>
        Assert.Equal("""{"type":"notice","from":"alice","data":{"info":"hi"}}""", Write(o => ChatMessageWriter.WriteNotice(o, "alice", """{"info":"hi"}"""u8)));

    [Fact]
    public void Room_has_the_documented_bytes() =>
        Assert.Equal(
            """{"type":"room","data":{"roomid":"r1","from":"alice","seq":42,"ts":1732680000000,"data":{"text":"hi"}}}""",
            Write(o => ChatMessageWriter.WriteRoom(o, "r1", "alice", 42, 1732680000000, """{"text":"hi"}"""u8)));

    [Fact]
    public void Broadcast_has_the_documented_bytes() =>
        Assert.Equal("""{"type":"broadcast","from":"alice","data":"hello"}""", Write(o => ChatMessageWriter.WriteBroadcast(o, "alice", "\"hello\""u8)));

    [Fact]
    public void Presence_events_have_the_documented_bytes()
    {
        Assert.Equal("""{"type":"join","data":{"roomid":"r1","id":"bob","count":12}}""", Write(o => ChatMessageWriter.WriteJoinEvent(o, "r1", "bob", 12)));
        Assert.Equal("""{"type":"leave","data":{"roomid":"r1","id":"bob","count":11}}""", Write(o => ChatMessageWriter.WriteLeaveEvent(o, "r1", "bob", 11)));
    }

    [Fact]
    public void Joined_and_left_carry_the_ref_last() =>
        Assert.Equal(
            """{"type":"joined","data":{"roomid":"r1","count":12,"seq":41},"ref":"j1"}{"type":"left","data":{"roomid":"r1","count":11},"ref":7}""",
            Write(o =>
            {
                ChatMessageWriter.WriteJoined(o, "\"j1\""u8, "r1", 12, 41);
                ChatMessageWriter.WriteLeft(o, "7"u8, "r1", 11);
            }));

    [Fact]
    public void Replies_without_a_ref_have_no_ref_member()
    {
        Assert.Equal("""{"type":"pong"}""", Write(o => ChatMessageWriter.WritePong(o, default)));
        Assert.Equal("""{"type":"joined","data":{"roomid":"r1","count":1,"seq":0}}""", Write(o => ChatMessageWriter.WriteJoined(o, default, "r1", 1, 0)));
        Assert.Equal("""{"type":"error","data":{"code":"bad_json","message":"please send data in the right format: one JSON object per text message"}}""", Write(o => ChatMessageWriter.WriteError(o, ChatErrors.BadJson, default)));
    }

    [Fact]
    public void Pong_echoes_the_ref() => Assert.Equal("""{"type":"pong","ref":"p"}""", Write(o => ChatMessageWriter.WritePong(o, "\"p\""u8)));

    [Fact]
    public void Ack_carries_seq_only_when_given()
    {
        Assert.Equal("""{"type":"ack","data":{"seq":42},"ref":"m1"}""", Write(o => ChatMessageWriter.WriteAck(o, "\"m1\""u8, 42)));
        Assert.Equal("""{"type":"ack","ref":5}""", Write(o => ChatMessageWriter.WriteAck(o, "5"u8)));
    }

    [Fact]
    public void Error_has_the_documented_bytes() =>
        Assert.Equal(
            """{"type":"error","data":{"code":"offline","message":"the other side is offline"},"ref":"n1"}""",
            Write(o => ChatMessageWriter.WriteError(o, ChatErrors.Offline, "\"n1\""u8)));

    [Fact]
    public void Online_reports_connections_and_whether_online()
    {
        var online = Parse(Write(o => ChatMessageWriter.WriteOnline(o, "1"u8, "bob", 2)));
        Assert.Equal("online", online.GetProperty("type").GetString());
        Assert.Equal("bob", online.GetProperty("data").GetProperty("id").GetString());
        Assert.True(online.GetProperty("data").GetProperty("online").GetBoolean());
        Assert.Equal(2, online.GetProperty("data").GetProperty("connections").GetInt32());
        Assert.Equal(1, online.GetProperty("ref").GetInt32());

        var offline = Parse(Write(o => ChatMessageWriter.WriteOnline(o, default, "bob", 0)));
        Assert.False(offline.GetProperty("data").GetProperty("online").GetBoolean());
        Assert.False(offline.TryGetProperty("ref", out _));
    }

    [Fact]
    public void Members_lists_at_most_max_and_flags_truncation()
    {
        string[] members = ["alice", "b\"ob", "carol"];
        var full = Parse(Write(o => ChatMessageWriter.WriteMembers(o, default, "r1", 3, members, 10)));
        Assert.Equal(["alice", "b\"ob", "carol"], full.GetProperty("data").GetProperty("members").EnumerateArray().Select(e => e.GetString()));
        Assert.False(full.GetProperty("data").GetProperty("truncated").GetBoolean());

        var cut = Parse(Write(o => ChatMessageWriter.WriteMembers(o, "\"q\""u8, "r1", 1200, members, 2)));
        Assert.Equal("members", cut.GetProperty("type").GetString());
        Assert.Equal(1200, cut.GetProperty("data").GetProperty("count").GetInt32());
        Assert.Equal(["alice", "b\"ob"], cut.GetProperty("data").GetProperty("members").EnumerateArray().Select(e => e.GetString()));
        Assert.True(cut.GetProperty("data").GetProperty("truncated").GetBoolean());
        Assert.Equal("q", cut.GetProperty("ref").GetString());

        var none = Parse(Write(o => ChatMessageWriter.WriteMembers(o, default, "r1", 0, [], 10)));
        Assert.Empty(none.GetProperty("data").GetProperty("members").EnumerateArray());
        Assert.False(none.GetProperty("data").GetProperty("truncated").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(TrickyStrings))]
    public void Ids_round_trip_through_a_json_parser(string text)
    {
        var welcome = Parse(Write(o => ChatMessageWriter.WriteWelcome(o, text, 1)));
        Assert.Equal(text, welcome.GetProperty("data").GetProperty("id").GetString());

        var room = Parse(Write(o => ChatMessageWriter.WriteRoom(o, text, text, 1, 2, "0"u8)));
        Assert.Equal(text, room.GetProperty("data").GetProperty("roomid").GetString());
        Assert.Equal(text, room.GetProperty("data").GetProperty("from").GetString());

        var notice = Parse(Write(o => ChatMessageWriter.WriteNotice(o, text, "{}"u8)));
        Assert.Equal(text, notice.GetProperty("from").GetString());

        var broadcast = Parse(Write(o => ChatMessageWriter.WriteBroadcast(o, text, "{}"u8)));
        Assert.Equal(text, broadcast.GetProperty("from").GetString());

        var join = Parse(Write(o => ChatMessageWriter.WriteJoinEvent(o, text, text, 3)));
        Assert.Equal(text, join.GetProperty("data").GetProperty("roomid").GetString());
        Assert.Equal(text, join.GetProperty("data").GetProperty("id").GetString());

        var leave = Parse(Write(o => ChatMessageWriter.WriteLeaveEvent(o, text, text, 3)));
        Assert.Equal(text, leave.GetProperty("data").GetProperty("id").GetString());

        var joined = Parse(Write(o => ChatMessageWriter.WriteJoined(o, default, text, 1, 0)));
        Assert.Equal(text, joined.GetProperty("data").GetProperty("roomid").GetString());

        var left = Parse(Write(o => ChatMessageWriter.WriteLeft(o, default, text, 0)));
        Assert.Equal(text, left.GetProperty("data").GetProperty("roomid").GetString());

        var members = Parse(Write(o => ChatMessageWriter.WriteMembers(o, default, text, 1, [text], 5)));
        Assert.Equal(text, members.GetProperty("data").GetProperty("members")[0].GetString());

        var online = Parse(Write(o => ChatMessageWriter.WriteOnline(o, default, text, 1)));
        Assert.Equal(text, online.GetProperty("data").GetProperty("id").GetString());

        var error = Parse(Write(o => ChatMessageWriter.WriteError(o, new ChatError("x", text), default)));
        Assert.Equal(text, error.GetProperty("data").GetProperty("message").GetString());
    }

    [Fact]
    public void Lone_surrogate_in_an_id_is_written_as_the_replacement_character()
    {
        var welcome = Parse(Write(o => ChatMessageWriter.WriteWelcome(o, "a\ud800b", 1)));
        Assert.Equal("a\ufffdb", welcome.GetProperty("data").GetProperty("id").GetString());
    }

    [Fact]
    public void Control_characters_use_short_escapes_where_json_has_them() =>
        Assert.Equal("""{"type":"notice","from":"\"\\\b\t\n\f\r\u0000\u001f","data":1}""", Write(o => ChatMessageWriter.WriteNotice(o, "\"\\\b\t\n\f\r\u0000\u001f", "1"u8)));

    [Theory]
    [InlineData("""{"info":"你好","list":[1,{"a":null}],"s":"q\"\\😀"}""")]
    [InlineData("""[ 1 , "two" , [ ] ]""")]
    [InlineData("\"a string\"")]
    [InlineData("-12.5e-3")]
    [InlineData("1e400")]
    [InlineData("null")]
    [InlineData("false")]
    public void Payload_is_copied_byte_exact(string payload)
    {
        var bytes = Encoding.UTF8.GetBytes(payload);
        var room = Write(o => ChatMessageWriter.WriteRoom(o, "r1", "alice", 1, 2, bytes));
        Assert.Equal(payload, Parse(room).GetProperty("data").GetProperty("data").GetRawText());
        Assert.EndsWith("\"data\":" + payload + "}}", room);

        var notice = Write(o => ChatMessageWriter.WriteNotice(o, "alice", bytes));
        Assert.Equal(payload, Parse(notice).GetProperty("data").GetRawText());

        var broadcast = Write(o => ChatMessageWriter.WriteBroadcast(o, "alice", bytes));
        Assert.Equal(payload, Parse(broadcast).GetProperty("data").GetRawText());
    }

    [Fact]
    public void Empty_payload_is_written_as_null() =>
        Assert.Equal("""{"type":"notice","from":"a","data":null}""", Write(o => ChatMessageWriter.WriteNotice(o, "a", default)));

    [Fact]
    public void Extreme_numbers_are_written_exactly()
    {
        var room = Parse(Write(o => ChatMessageWriter.WriteRoom(o, "r", "a", long.MaxValue, long.MinValue, "0"u8)));
        Assert.Equal(long.MaxValue, room.GetProperty("data").GetProperty("seq").GetInt64());
        Assert.Equal(long.MinValue, room.GetProperty("data").GetProperty("ts").GetInt64());
    }

    [Fact]
    public void Parsed_request_fields_feed_the_writer_unchanged()
    {
        var request = """{"type":"room","data":{"roomid":"r1","data":{"t":"a\"b","n":[1.0e2]}},"ref":"x\"y"}"""u8;
        Assert.True(ChatRequestParser.TryParse(request, new byte[ChatRequestParser.ScratchLength], out var parsed, out _));
        var output = new ArrayBufferWriter<byte>();
        ChatMessageWriter.WriteRoom(output, Encoding.UTF8.GetString(parsed.RoomId), "alice", 1, 2, parsed.Data);
        ChatMessageWriter.WriteAck(output, parsed.Ref, 1);
        Assert.Equal(
            """{"type":"room","data":{"roomid":"r1","from":"alice","seq":1,"ts":2,"data":{"t":"a\"b","n":[1.0e2]}}}{"type":"ack","data":{"seq":1},"ref":"x\"y"}""",
            Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Writing_into_a_reused_buffer_allocates_nothing()
    {
        var output = new ArrayBufferWriter<byte>(4096);
        var payload = """{"text":"hello there","kind":"text"}"""u8.ToArray();
        string[] members = ["alice", "bob"];
        void WriteAll()
        {
            output.ResetWrittenCount();
            ChatMessageWriter.WriteRoom(output, "r1", "alice", 42, 1732680000000, payload);
            ChatMessageWriter.WriteNotice(output, "alice", payload);
            ChatMessageWriter.WriteBroadcast(output, "alice", payload);
            ChatMessageWriter.WriteWelcome(output, "alice", 17);
            ChatMessageWriter.WriteJoinEvent(output, "r1", "bob", 12);
            ChatMessageWriter.WriteJoined(output, "\"j\""u8, "r1", 12, 41);
            ChatMessageWriter.WriteMembers(output, default, "r1", 2, members, 10);
            ChatMessageWriter.WriteOnline(output, default, "bob", 1);
            ChatMessageWriter.WriteAck(output, "1"u8, 42);
            ChatMessageWriter.WriteError(output, ChatErrors.NotInRoom, "1"u8);
        }

        WriteAll();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            WriteAll();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
