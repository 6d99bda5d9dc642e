using System.Text;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Buffers;
using PipeChat.Server.Compression;

namespace PipeChat.Server.Tests.Compression;

public sealed class DeflateCodecTests
{
    private static byte[] ChatJson(int index) => Encoding.UTF8.GetBytes(
        "{\"type\":\"message\",\"data\":{\"roomid\":\"live-" + (index % 7) + "\",\"from\":\"user" + index + "\",\"seq\":" + index
        + ",\"data\":{\"text\":\"大家好 hello everyone, message number " + index + " 🎉\",\"ts\":" + (1700000000000 + index) + "}}}");

    [Theory]
    [InlineData(16)]
    [InlineData(64)]
    [InlineData(300)]
    [InlineData(6000)]
    [InlineData(90_000)]
    public void Compressed_frame_decompresses_alone_with_an_independent_implementation(int repeat)
    {
        using var codec = new DeflateCodec(thresholdBytes: 0, level: 6, windowBits: 15);
        var text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("chat 聊天 ", repeat)));

        var twin = codec.Compress(text, WebSocketOpcode.Text);

        Assert.NotNull(twin);
        var frame = twin.Frame.Span;
        Assert.Equal(0xC1, frame[0]); // FIN + RSV1 + text
        Assert.Equal(text, ReferenceDeflate.Decompress(twin.Payload));
        twin.Release();
    }

    [Fact]
    public void Pooled_compressor_keeps_no_context_between_messages()
    {
        using var codec = new DeflateCodec(thresholdBytes: 0, level: 6, windowBits: 15);
        for (var i = 0; i < 50; i++)
        {
            var json = ChatJson(i);
            var twin = codec.Compress(json, WebSocketOpcode.Text);
            Assert.NotNull(twin);

            // Each message decompresses with a fresh decompressor: nothing refers to an earlier one.
            Assert.Equal(json, ReferenceDeflate.Decompress(twin.Payload));
            twin.Release();
        }
    }

    [Fact]
    public void Incompressible_payload_is_not_compressed_and_the_compressor_stays_usable()
    {
        using var codec = new DeflateCodec(thresholdBytes: 0, level: 6, windowBits: 15);
        var random = new byte[5000];
        new Random(7).NextBytes(random);

        Assert.Null(codec.Compress(random, WebSocketOpcode.Binary));
        Assert.Equal(1, codec.MessagesIncompressible);

        var json = ChatJson(1);
        var twin = codec.Compress(json, WebSocketOpcode.Text);
        Assert.NotNull(twin);
        Assert.Equal(json, ReferenceDeflate.Decompress(twin.Payload));
        twin.Release();
    }

    [Theory]
    [InlineData(9)]
    [InlineData(12)]
    public void Smaller_window_output_is_valid_deflate(int windowBits)
    {
        using var codec = new DeflateCodec(thresholdBytes: 0, level: 9, windowBits: windowBits);
        var text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 3000).Select(i => $"line {i % 97} of the log; ")));

        var twin = codec.Compress(text, WebSocketOpcode.Text);

        Assert.NotNull(twin);
        Assert.Equal(text, ReferenceDeflate.Decompress(twin.Payload));
        twin.Release();
    }

    [Fact]
    public void Session_inflater_reads_reference_output_message_after_message_and_reports_bad_data()
    {
        using var codec = new DeflateCodec(thresholdBytes: 0, level: 6, windowBits: 15);
        var inflater = codec.CreateSessionInflater();
        var output = new byte[4096];
        for (var i = 0; i < 5; i++)
        {
            var json = ChatJson(i);
            var payload = ReferenceDeflate.Compress(json);
            Assert.True(inflater.Inflate([.. payload, 0x00, 0x00, 0xFF, 0xFF], output, out var consumed, out var written));
            Assert.Equal(payload.Length + 4, consumed);
            Assert.Equal(json, output[..written]);
            inflater.Reset();
        }

        Assert.False(inflater.Inflate([0xFF, 0xFF, 0xFF, 0xFF], output, out _, out _), "an invalid block type is an error");
        inflater.Reset();
        Assert.Equal(1, codec.InflatersCreated);
    }

    [Fact]
    public void Frame_builds_its_compressed_twin_once_and_only_for_data_frames_over_the_threshold()
    {
        using var codec = new DeflateCodec(thresholdBytes: 100, level: 6, windowBits: 15);
        var json = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"text\":\"hello\"}", 20)));
        var frame = SharedFrame.Create(WebSocketOpcode.Text, json);

        var first = frame.ForDeflateRecipient(codec, 15);
        var second = frame.ForDeflateRecipient(codec, 15);

        Assert.NotSame(frame, first);
        Assert.Same(first, second);
        Assert.Equal(1, codec.MessagesCompressed);
        Assert.Equal(json, ReferenceDeflate.Decompress(first.Payload));

        // A recipient that accepts only a 256-byte window gets the plain frame for this 320-byte payload.
        Assert.Same(frame, frame.ForDeflateRecipient(codec, 8));

        var small = SharedFrame.Create(WebSocketOpcode.Text, "{\"text\":\"hi\"}"u8);
        Assert.Same(small, small.ForDeflateRecipient(codec, 15));
        var ping = SharedFrame.Create(WebSocketOpcode.Ping, new byte[120]);
        Assert.Same(ping, ping.ForDeflateRecipient(codec, 15));
        Assert.Equal(1, codec.MessagesCompressed);

        frame.Release();
        small.Release();
        ping.Release();
    }
}
