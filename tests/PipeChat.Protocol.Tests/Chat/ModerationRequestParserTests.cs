using System.Text;
using PipeChat.Protocol.Chat;

namespace PipeChat.Protocol.Tests.Chat;

/// <summary>refresh, mute, ban, recall and readonly: their fields and the bad_request each shape gets.</summary>
public class ModerationRequestParserTests
{
    private delegate void Check(ChatRequest request);

    private static void Ok(string json, Check check)
    {
        var scratch = new byte[ChatRequestParser.ScratchLength];
        Assert.True(ChatRequestParser.TryParse(Encoding.UTF8.GetBytes(json), scratch, out var request, out var error), $"{error.Code}: {error.Message}");
        check(request);
    }

    private static ChatError Fails(string json)
    {
        var scratch = new byte[ChatRequestParser.ScratchLength];
        Assert.False(ChatRequestParser.TryParse(Encoding.UTF8.GetBytes(json), scratch, out _, out var error));
        return error;
    }

    private static string S(ReadOnlySpan<byte> utf8) => Encoding.UTF8.GetString(utf8);

    [Fact]
    public void Refresh_carries_the_token() =>
        Ok("""{"type":"refresh","data":{"token":"a.b.c"},"ref":1}""", r =>
        {
            Assert.Equal(ChatRequestType.Refresh, r.Type);
            Assert.Equal("a.b.c", S(r.Token));
            Assert.Equal("1", S(r.Ref));
        });

    [Theory]
    [InlineData("""{"type":"refresh"}""")]
    [InlineData("""{"type":"refresh","data":{}}""")]
    [InlineData("""{"type":"refresh","data":{"token":7}}""")]
    [InlineData("""{"type":"refresh","data":{"token":""}}""")]
    [InlineData("""{"type":"refresh","data":{"token":"a\/b"}}""")]
    public void Refresh_without_a_plain_token_string_is_a_bad_request(string json) => Assert.Equal(ChatErrors.RefreshNeedsToken, Fails(json));

    [Fact]
    public void Mute_and_ban_carry_room_user_and_seconds_which_may_be_absent()
    {
        Ok("""{"type":"mute","data":{"roomid":"r1","id":"bob","seconds":600}}""", r =>
        {
            Assert.Equal(ChatRequestType.Mute, r.Type);
            Assert.Equal("r1", S(r.RoomId));
            Assert.Equal("bob", S(r.TargetId));
            Assert.Equal(600, r.Seconds);
        });
        Ok("""{"type":"ban","data":{"roomid":"r1","id":"bob"}}""", r =>
        {
            Assert.Equal(ChatRequestType.Ban, r.Type);
            Assert.Null(r.Seconds);
        });
        Ok("""{"type":"ban","data":{"roomid":"r1","id":"bob","seconds":0}}""", r => Assert.Equal(0, r.Seconds));
    }

    [Fact]
    public void Mute_and_ban_name_what_is_missing_or_bad()
    {
        Assert.Equal(ChatErrors.MuteNeedsRoomIdAndId, Fails("""{"type":"mute","data":{"roomid":"r1"}}"""));
        Assert.Equal(ChatErrors.BanNeedsRoomIdAndId, Fails("""{"type":"ban","data":{"id":"bob"}}"""));
        Assert.Equal(ChatErrors.BadSeconds, Fails("""{"type":"mute","data":{"roomid":"r1","id":"bob","seconds":-1}}"""));
        Assert.Equal(ChatErrors.BadSeconds, Fails("""{"type":"ban","data":{"roomid":"r1","id":"bob","seconds":"60"}}"""));
    }

    [Fact]
    public void Recall_needs_a_seq_and_readonly_a_boolean()
    {
        Ok("""{"type":"recall","data":{"roomid":"r1","seq":42}}""", r =>
        {
            Assert.Equal(ChatRequestType.Recall, r.Type);
            Assert.Equal(42, r.Seq);
        });
        Ok("""{"type":"readonly","data":{"roomid":"r1","on":false}}""", r =>
        {
            Assert.Equal(ChatRequestType.ReadOnly, r.Type);
            Assert.False(r.On);
        });
        Assert.Equal(ChatErrors.RecallNeedsRoomIdAndSeq, Fails("""{"type":"recall","data":{"roomid":"r1"}}"""));
        Assert.Equal(ChatErrors.BadSeq, Fails("""{"type":"recall","data":{"roomid":"r1","seq":1.5}}"""));
        Assert.Equal(ChatErrors.ReadOnlyNeedsRoomIdAndOn, Fails("""{"type":"readonly","data":{"roomid":"r1"}}"""));
        Assert.Equal(ChatErrors.BadOn, Fails("""{"type":"readonly","data":{"roomid":"r1","on":1}}"""));
    }

    [Fact]
    public void Moderation_writer_shapes()
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        ModerationMessageWriter.WriteRecall(output, "r1", 42, "mia");
        Assert.Equal("""{"type":"recall","data":{"roomid":"r1","seq":42,"by":"mia"}}""", S(output.WrittenSpan));
        output.Clear();
        ModerationMessageWriter.WriteTombstone(output, "r1", 42);
        Assert.Equal("""{"type":"room","data":{"roomid":"r1","seq":42,"recalled":true}}""", S(output.WrittenSpan));
        output.Clear();
        ModerationMessageWriter.WriteErrorWithSeconds(output, ChatErrors.Muted, 5, "\"m\""u8);
        Assert.Equal("""{"type":"error","data":{"code":"muted","message":"you are muted in this room","seconds":5},"ref":"m"}""", S(output.WrittenSpan));
        output.Clear();
        ModerationMessageWriter.WriteErrorWithSeconds(output, ChatErrors.Banned, null, default);
        Assert.Equal("""{"type":"error","data":{"code":"banned","message":"you are banned from this room"}}""", S(output.WrittenSpan));
        output.Clear();
        ModerationMessageWriter.WriteRemoved(output, "r1", 3, "banned");
        Assert.Equal("""{"type":"left","data":{"roomid":"r1","count":3,"reason":"banned"}}""", S(output.WrittenSpan));
        output.Clear();
        ChatMessageWriter.WriteWelcome(output, "alice", 7, 1733650000);
        Assert.Equal("""{"type":"welcome","data":{"id":"alice","conn":7,"server":"pipechat","exp":1733650000}}""", S(output.WrittenSpan));
    }
}
