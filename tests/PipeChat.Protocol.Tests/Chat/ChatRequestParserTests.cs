using System.Text;
using PipeChat.Protocol.Chat;

namespace PipeChat.Protocol.Tests.Chat;

public class ChatRequestParserTests
{
    private delegate void Check(ChatRequest request);

    private static void Ok(string json, Check check)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var scratch = new byte[ChatRequestParser.ScratchLength];
        Assert.True(ChatRequestParser.TryParse(bytes, scratch, out var request, out var error), $"{error.Code}: {error.Message}");
        Assert.True(error.IsNone);
        check(request);
    }

    private static ChatError Fails(string json, out string reference)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var scratch = new byte[ChatRequestParser.ScratchLength];
        Assert.False(ChatRequestParser.TryParse(bytes, scratch, out var request, out var error));
        Assert.False(error.IsNone);
        reference = Encoding.UTF8.GetString(request.Ref);
        return error;
    }

    private static ChatError Fails(string json) => Fails(json, out _);

    private static string S(ReadOnlySpan<byte> utf8) => Encoding.UTF8.GetString(utf8);

    // The original client's messages, byte for byte.

    [Fact]
    public void Original_join_with_own_id_is_a_join_and_the_id_is_ignored() =>
        Ok("""{"type":"join","data":{"roomid":"r1","id":"alice"}}""", r =>
        {
            Assert.Equal(ChatRequestType.Join, r.Type);
            Assert.Equal("r1", S(r.RoomId));
            Assert.True(r.TargetId.IsEmpty);
            Assert.True(r.Ref.IsEmpty);
            Assert.Null(r.Since);
        });

    [Fact]
    public void Original_leave_with_own_id_is_a_leave() =>
        Ok("""{"type":"leave","data":{"roomid":"r1","id":"alice"}}""", r =>
        {
            Assert.Equal(ChatRequestType.Leave, r.Type);
            Assert.Equal("r1", S(r.RoomId));
        });

    [Fact]
    public void Original_notice_carries_target_and_raw_payload() =>
        Ok("""{"type":"notice","data":{"id":"bob","data":{"info":"你好","room":"r1","kind":"text","createdAt":1732680000000}}}""", r =>
        {
            Assert.Equal(ChatRequestType.Notice, r.Type);
            Assert.Equal("bob", S(r.TargetId));
            Assert.Equal("""{"info":"你好","room":"r1","kind":"text","createdAt":1732680000000}""", S(r.Data));
        });

    [Fact]
    public void Original_query_stub_without_data_is_bad_request() =>
        Assert.Equal(ChatErrors.QueryNeedsRoomIdOrId, Fails("""{"type":"query"}"""));

    [Fact]
    public void Original_notice_without_id_is_bad_request_naming_the_fields()
    {
        var error = Fails("""{"type":"notice","data":{"data":"hi"}}""");
        Assert.Equal(ChatErrorCodes.BadRequest, error.Code);
        Assert.Equal("notice needs data.id and data.data", error.Message);
    }

    [Fact]
    public void Notice_without_payload_is_bad_request() =>
        Assert.Equal(ChatErrors.NoticeNeedsIdAndData, Fails("""{"type":"notice","data":{"id":"bob"}}"""));

    [Fact]
    public void Notice_with_non_string_id_is_bad_request() =>
        Assert.Equal(ChatErrors.BadId, Fails("""{"type":"notice","data":{"id":7,"data":1}}"""));

    [Fact]
    public void Notice_with_non_object_data_is_bad_request() =>
        Assert.Equal(ChatErrors.NoticeNeedsIdAndData, Fails("""{"type":"notice","data":"bob"}"""));

    // New request shapes.

    [Fact]
    public void Room_message_carries_room_and_raw_payload() =>
        Ok("""{"type":"room","data":{"roomid":"r1","data":{"text":"hi"}},"ref":"m-1"}""", r =>
        {
            Assert.Equal(ChatRequestType.Room, r.Type);
            Assert.Equal("r1", S(r.RoomId));
            Assert.Equal("""{"text":"hi"}""", S(r.Data));
            Assert.Equal("\"m-1\"", S(r.Ref));
        });

    [Fact]
    public void Room_without_payload_is_bad_request() =>
        Assert.Equal(ChatErrors.RoomNeedsRoomIdAndData, Fails("""{"type":"room","data":{"roomid":"r1"}}"""));

    [Fact]
    public void Room_without_roomid_is_bad_request() =>
        Assert.Equal(ChatErrors.RoomNeedsRoomIdAndData, Fails("""{"type":"room","data":{"data":1}}"""));

    [Fact]
    public void Broadcast_payload_is_the_whole_data_value() =>
        Ok("""{"type":"broadcast","data": {"text" : "hi", "n":[1, 2]} }""", r =>
        {
            Assert.Equal(ChatRequestType.Broadcast, r.Type);
            Assert.Equal("""{"text" : "hi", "n":[1, 2]}""", S(r.Data));
        });

    [Fact]
    public void Broadcast_without_data_is_bad_request() =>
        Assert.Equal(ChatErrors.BroadcastNeedsData, Fails("""{"type":"broadcast"}"""));

    [Fact]
    public void Query_by_roomid_is_a_members_query() =>
        Ok("""{"type":"query","data":{"roomid":"r1"}}""", r =>
        {
            Assert.Equal(ChatRequestType.Query, r.Type);
            Assert.Equal("r1", S(r.RoomId));
            Assert.True(r.TargetId.IsEmpty);
        });

    [Fact]
    public void Query_by_id_is_a_user_query() =>
        Ok("""{"type":"query","data":{"id":"bob"}}""", r =>
        {
            Assert.True(r.RoomId.IsEmpty);
            Assert.Equal("bob", S(r.TargetId));
        });

    [Fact]
    public void Query_with_roomid_and_id_is_a_members_query() =>
        Ok("""{"type":"query","data":{"id":"alice","roomid":"r1"}}""", r =>
        {
            Assert.Equal("r1", S(r.RoomId));
            Assert.True(r.TargetId.IsEmpty);
        });

    [Fact]
    public void Ping_needs_nothing_and_ignores_data() =>
        Ok("""{"type":"ping","data":[1,2,3]}""", r => Assert.Equal(ChatRequestType.Ping, r.Type));

    [Fact]
    public void Join_parses_since_and_string_epoch() =>
        Ok("""{"type":"join","data":{"roomid":"r1","since":41,"epoch":"e\u0031"}}""", r =>
        {
            Assert.Equal(41, r.Since);
            Assert.Equal("e1", S(r.Epoch));
        });

    [Fact]
    public void Join_number_epoch_is_kept_as_its_text() =>
        Ok("""{"type":"join","data":{"roomid":"r1","epoch":1732680000}}""", r => Assert.Equal("1732680000", S(r.Epoch)));

    [Theory]
    [InlineData("""{"type":"join","data":{"roomid":"r1","since":-1}}""")]
    [InlineData("""{"type":"join","data":{"roomid":"r1","since":1.5}}""")]
    [InlineData("""{"type":"join","data":{"roomid":"r1","since":"4"}}""")]
    [InlineData("""{"type":"join","data":{"roomid":"r1","since":99999999999999999999}}""")]
    [InlineData("""{"type":"join","data":{"roomid":"r1","since":1e400}}""")]
    public void Join_with_a_bad_since_is_bad_request(string json) => Assert.Equal(ChatErrors.BadSince, Fails(json));

    [Fact]
    public void Join_with_an_object_epoch_is_bad_request() =>
        Assert.Equal(ChatErrors.BadEpoch, Fails("""{"type":"join","data":{"roomid":"r1","epoch":{}}}"""));

    [Fact]
    public void History_parses_roomid_before_and_limit() =>
        Ok("""{"type":"history","data":{"roomid":"r1","before":100,"limit":50}}""", r =>
        {
            Assert.Equal(ChatRequestType.History, r.Type);
            Assert.Equal("r1", S(r.RoomId));
            Assert.Equal(100, r.Before);
            Assert.Equal(50, r.Limit);
        });

    [Fact]
    public void History_without_before_and_limit_leaves_them_null() =>
        Ok("""{"type":"history","data":{"roomid":"r1"}}""", r =>
        {
            Assert.Null(r.Before);
            Assert.Null(r.Limit);
        });

    [Theory]
    [InlineData("0")]
    [InlineData("3000000000")]
    [InlineData("2.5")]
    public void History_with_a_bad_limit_is_bad_request(string limit) =>
        Assert.Equal(ChatErrors.BadLimit, Fails($$$"""{"type":"history","data":{"roomid":"r1","limit":{{{limit}}}}}"""));

    [Fact]
    public void Join_without_data_is_bad_request() =>
        Assert.Equal(ChatErrors.JoinNeedsRoomId, Fails("""{"type":"join"}"""));

    [Fact]
    public void Leave_without_roomid_is_bad_request() =>
        Assert.Equal(ChatErrors.LeaveNeedsRoomId, Fails("""{"type":"leave","data":{"id":"alice"}}"""));

    // type

    [Fact]
    public void Missing_type_is_bad_request() => Assert.Equal(ChatErrors.MissingType, Fails("""{"data":{"roomid":"r1"}}"""));

    [Fact]
    public void Non_string_type_is_bad_request() => Assert.Equal(ChatErrors.MissingType, Fails("""{"type":["join"]}"""));

    [Fact]
    public void Unknown_type_is_unknown_type_with_the_ref()
    {
        Assert.Equal(ChatErrors.UnknownType, Fails("""{"type":"dance","ref":9}""", out var reference));
        Assert.Equal("9", reference);
    }

    [Fact]
    public void Type_names_are_case_sensitive() => Assert.Equal(ChatErrors.UnknownType, Fails("""{"type":"Ping"}"""));

    [Fact]
    public void Escaped_type_name_is_recognised() =>
        Ok("""{"type":"p\u0069ng"}""", r => Assert.Equal(ChatRequestType.Ping, r.Type));

    [Fact]
    public void Type_may_come_after_data() =>
        Ok("""{"data":{"roomid":"r1"},"type":"join"}""", r => Assert.Equal("r1", S(r.RoomId)));

    // ref

    [Theory]
    [InlineData("\"abc\"")]
    [InlineData("\"a\\\"b\\u00e9\"")]
    [InlineData("17")]
    [InlineData("-0.5e3")]
    [InlineData("123456789012345678901234567890")]
    [InlineData("1e400")]
    public void Ref_is_the_raw_json_token(string raw) =>
        Ok($$$"""{"type":"ping","ref":{{{raw}}}}""", r => Assert.Equal(raw, S(r.Ref)));

    [Theory]
    [InlineData("null")]
    [InlineData("true")]
    [InlineData("{\"a\":1}")]
    [InlineData("[1]")]
    public void Ref_of_another_kind_is_bad_request(string raw)
    {
        Assert.Equal(ChatErrors.BadRef, Fails($$$"""{"type":"ping","ref":{{{raw}}}}""", out var reference));
        Assert.Equal(string.Empty, reference);
    }

    [Fact]
    public void Ref_is_reported_when_the_json_breaks_after_it()
    {
        Assert.Equal(ChatErrors.BadJson, Fails("""{"ref":"x1","type":"room","data":{"roomid":"r1","data":{"a":}}}""", out var reference));
        Assert.Equal("\"x1\"", reference);
    }

    [Fact]
    public void Ref_is_reported_with_a_missing_field()
    {
        Assert.Equal(ChatErrors.NoticeNeedsIdAndData, Fails("""{"type":"notice","data":{},"ref":3}""", out var reference));
        Assert.Equal("3", reference);
    }

    // room ids

    [Theory]
    [InlineData("""r\u0031""", "r1")]
    [InlineData("""\u623f\u95f4""", "房间")]
    [InlineData("""\ud83d\ude00""", "😀")]
    [InlineData("""a\"b\\c\/d""", "a\"b\\c/d")]
    [InlineData("房间😀", "房间😀")]
    public void Escaped_room_ids_are_unescaped(string raw, string expected) =>
        Ok($$$"""{"type":"join","data":{"roomid":"{{{raw}}}"}}""", r => Assert.Equal(expected, S(r.RoomId)));

    [Fact]
    public void Notice_target_id_is_unescaped() =>
        Ok("""{"type":"notice","data":{"id":"b\u006fb","data":null}}""", r =>
        {
            Assert.Equal("bob", S(r.TargetId));
            Assert.Equal("null", S(r.Data));
        });

    [Fact]
    public void Room_id_of_128_bytes_is_accepted_even_fully_escaped()
    {
        var escaped = string.Concat(Enumerable.Repeat("\\u0041", 128));
        Ok($$$"""{"type":"join","data":{"roomid":"{{{escaped}}}"}}""", r => Assert.Equal(new string('A', 128), S(r.RoomId)));
    }

    [Theory]
    [InlineData(129)]
    [InlineData(0)]
    public void Room_id_outside_1_to_128_bytes_is_bad_request(int length) =>
        Assert.Equal(ChatErrors.BadRoomId, Fails($$$"""{"type":"join","data":{"roomid":"{{{new string('r', length)}}}"}}"""));

    [Fact]
    public void Room_id_that_is_a_number_is_bad_request() =>
        Assert.Equal(ChatErrors.BadRoomId, Fails("""{"type":"leave","data":{"roomid":1}}"""));

    [Fact]
    public void Lone_surrogate_escape_in_room_id_is_rejected() =>
        Assert.False(ChatRequestParser.TryParse("""{"type":"join","data":{"roomid":"\ud800"}}"""u8, new byte[ChatRequestParser.ScratchLength], out _, out _));

    // payloads

    [Theory]
    [InlineData("""{"info":"hi","list":[1,{"a":null}],"s":"q\"\\"}""")]
    [InlineData("""[ 1 , "two" , [ ] ]""")]
    [InlineData("\"just a string \\u00e9\"")]
    [InlineData("-12.5e-3")]
    [InlineData("1e400")]
    [InlineData("123456789012345678901234567890")]
    [InlineData("null")]
    [InlineData("true")]
    [InlineData("{}")]
    public void Payload_is_preserved_byte_exact(string payload)
    {
        Ok($$$"""{"type":"room","data":{"roomid":"r1","data":{{{payload}}}}}""", r => Assert.Equal(payload, S(r.Data)));
        Ok($$$"""{"type":"notice","data":{"data":{{{payload}}},"id":"bob"}}""", r => Assert.Equal(payload, S(r.Data)));
        Ok($$$"""{"type":"broadcast","data":{{{payload}}}}""", r => Assert.Equal(payload, S(r.Data)));
    }

    // duplicates: the last occurrence wins

    [Fact]
    public void Duplicate_keys_last_one_wins() =>
        Ok("""{"type":"ping","type":"join","data":{"roomid":"a","roomid":"b"},"ref":1,"ref":2}""", r =>
        {
            Assert.Equal(ChatRequestType.Join, r.Type);
            Assert.Equal("b", S(r.RoomId));
            Assert.Equal("2", S(r.Ref));
        });

    [Fact]
    public void Duplicate_data_replaces_every_field_of_the_first() =>
        Assert.Equal(ChatErrors.RoomNeedsRoomIdAndData, Fails("""{"type":"room","data":{"roomid":"r1","data":1},"data":{"roomid":"r2"}}"""));

    // malformed

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("[]")]
    [InlineData("\"join\"")]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("{\"type\":\"ping\"")]
    [InlineData("{\"type\":\"ping\",}")]
    [InlineData("{\"type\":\"ping\"} x")]
    [InlineData("{\"type\":\"ping\"}{}")]
    [InlineData("{\"type\":\"ping\" /* c */}")]
    [InlineData("{'type':'ping'}")]
    [InlineData("{\"type\":\"ping\",\"data\":{\"a\":01}}")]
    [InlineData("connection opened")]
    public void Malformed_json_is_bad_json(string json) => Assert.Equal(ChatErrors.BadJson, Fails(json));

    [Fact]
    public void Trailing_whitespace_is_fine() => Ok("{\"type\":\"ping\"}\r\n ", r => Assert.Equal(ChatRequestType.Ping, r.Type));

    [Fact]
    public void Nesting_to_depth_64_is_accepted()
    {
        // envelope (1) + data (2) + 62 arrays = 64 levels.
        var payload = new string('[', 62) + new string(']', 62);
        Ok($$$"""{"type":"broadcast","data":{"x":{{{payload}}}}}""", r => Assert.EndsWith("]}", S(r.Data)));
    }

    [Fact]
    public void Nesting_to_depth_65_is_bad_json()
    {
        var payload = new string('[', 63) + new string(']', 63);
        Assert.Equal(ChatErrors.BadJson, Fails($$$"""{"type":"broadcast","data":{"x":{{{payload}}}}}"""));
    }

    [Fact]
    public void Depth_bomb_is_bad_json_without_blowing_the_stack()
    {
        var bomb = "{\"type\":\"broadcast\",\"ref\":\"b\",\"data\":" + new string('[', 100_000);
        Assert.Equal(ChatErrors.BadJson, Fails(bomb, out var reference));
        Assert.Equal("\"b\"", reference);
    }

    [Fact]
    public void Scratch_smaller_than_ScratchLength_is_an_argument_error() =>
        Assert.Throws<ArgumentException>(() => ChatRequestParser.TryParse("{}"u8, new byte[ChatRequestParser.ScratchLength - 1], out _, out _));

    [Fact]
    public void Parsing_a_valid_request_allocates_nothing()
    {
        var json = """{"type":"room","data":{"roomid":"r\u0031","id":"alice","data":{"text":"hello","n":[1,2,3]}},"ref":"m1"}"""u8.ToArray();
        var scratch = new byte[ChatRequestParser.ScratchLength];
        ChatRequestParser.TryParse(json, scratch, out _, out _);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            ChatRequestParser.TryParse(json, scratch, out _, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
