using System.Text;
using PipeChat.Protocol.Chat;

namespace PipeChat.Protocol.Tests.Chat;

/// <summary>Room message priorities and count requests as parsed, and the overload messages as written.</summary>
public sealed class OverloadRequestTests
{
    [Theory]
    [InlineData("""{"type":"room","data":{"roomid":"r","data":1}}""", MessagePriority.Normal)]
    [InlineData("""{"type":"room","data":{"roomid":"r","priority":"low","data":1}}""", MessagePriority.Low)]
    [InlineData("""{"type":"room","data":{"roomid":"r","priority":"normal","data":1}}""", MessagePriority.Normal)]
    [InlineData("""{"type":"room","data":{"priority":"high","roomid":"r","data":1}}""", MessagePriority.High)]
    public void A_room_request_carries_its_priority(string json, MessagePriority expected)
    {
        Assert.True(Parse(json, out var type, out var priority, out _, out _, out var code), code);
        Assert.Equal(ChatRequestType.Room, type);
        Assert.Equal(expected, priority);
    }

    [Theory]
    [InlineData("""{"type":"room","data":{"roomid":"r","priority":"HIGH","data":1}}""")]
    [InlineData("""{"type":"room","data":{"roomid":"r","priority":2,"data":1}}""")]
    [InlineData("""{"type":"room","data":{"roomid":"r","priority":"hi\u0067h","data":1}}""")]
    public void Anything_but_the_three_names_is_bad_request(string json)
    {
        Assert.False(Parse(json, out _, out _, out _, out _, out var code));
        Assert.Equal(ChatErrorCodes.BadRequest, code);
    }

    [Theory]
    [InlineData("""{"type":"count","data":{"roomid":"r","name":"likes"}}""", "likes", 1)]
    [InlineData("""{"type":"count","data":{"roomid":"r","name":"likes","by":-3}}""", "likes", -3)]
    [InlineData("""{"type":"count","data":{"roomid":"r","name":"\u70b9\u8d5e","by":1000000}}""", "点赞", 1000000)]
    public void A_count_request_names_its_counter_and_step(string json, string name, long by)
    {
        Assert.True(Parse(json, out var type, out _, out var counter, out var step, out var code), code);
        Assert.Equal(ChatRequestType.Count, type);
        Assert.Equal(name, counter);
        Assert.Equal(by, step);
    }

    [Theory]
    [InlineData("""{"type":"count","data":{"roomid":"r"}}""")]
    [InlineData("""{"type":"count","data":{"name":"likes"}}""")]
    [InlineData("""{"type":"count","data":{"roomid":"r","name":""}}""")]
    [InlineData("""{"type":"count","data":{"roomid":"r","name":"likes","by":1000001}}""")]
    [InlineData("""{"type":"count","data":{"roomid":"r","name":"likes","by":1.5}}""")]
    public void A_count_request_without_a_room_or_name_or_with_a_bad_step_is_bad_request(string json)
    {
        Assert.False(Parse(json, out _, out _, out _, out _, out var code));
        Assert.Equal(ChatErrorCodes.BadRequest, code);
    }

    [Fact]
    public void Skipped_counter_and_dropped_ack_are_written_as_documented()
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        OverloadMessageWriter.WriteSkipped(output, "r\"1", 10, 42, 30);
        Assert.Equal("""{"type":"skipped","data":{"roomid":"r\"1","from_seq":10,"to_seq":42,"count":30}}""", Encoding.UTF8.GetString(output.WrittenSpan));

        output.Clear();
        OverloadMessageWriter.WriteCounter(output, "live", "likes", 1234);
        Assert.Equal("""{"type":"counter","data":{"roomid":"live","name":"likes","value":1234}}""", Encoding.UTF8.GetString(output.WrittenSpan));

        output.Clear();
        OverloadMessageWriter.WriteDroppedAck(output, "\"m1\""u8, MessagePriority.Low);
        Assert.Equal("""{"type":"ack","data":{"dropped":true,"reason":"room_rate","priority":"low"},"ref":"m1"}""", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Theory]
    [InlineData(MessagePriority.High)]
    [InlineData(MessagePriority.Low)]
    [InlineData(MessagePriority.Normal)]
    public void A_room_message_says_its_priority_after_the_seq_and_it_is_read_back(MessagePriority priority)
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        ChatMessageWriter.WriteRoom(output, "r", "a\",\"seq\":1,\"priority\":\"high", 5, "{\"seq\":3}"u8, out var slot, priority);
        var written = output.WrittenSpan.ToArray();
        ChatMessageWriter.FillSeqSlot(written.AsSpan(slot), 42);

        Assert.Equal(priority, OverloadMessageWriter.PriorityOf(written));
        using var doc = System.Text.Json.JsonDocument.Parse(written);
        var data = doc.RootElement.GetProperty("data");
        Assert.Equal(42, data.GetProperty("seq").GetInt64());
        Assert.Equal(priority == MessagePriority.Normal ? null : MessagePriorities.Name(priority), data.TryGetProperty("priority", out var p) ? p.GetString() : null);
    }

    private static bool Parse(string json, out ChatRequestType type, out MessagePriority priority, out string name, out long by, out string? code)
    {
        var scratch = new byte[ChatRequestParser.ScratchLength];
        var ok = ChatRequestParser.TryParse(Encoding.UTF8.GetBytes(json), scratch, out var request, out var error);
        type = request.Type;
        priority = request.Priority;
        name = Encoding.UTF8.GetString(request.CounterName);
        by = request.By;
        code = ok ? null : error.Code;
        return ok;
    }
}
