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

    [Theory]
    [InlineData(15, 9, 512)]
    [InlineData(15, 10, 1024)]
    [InlineData(9, 9, 200_000)]
    [InlineData(12, 12, 200_000)]
    public void Twin_sent_to_a_small_window_client_decompresses_with_that_window(int serverWindow, int clientWindow, int length)
    {
        using var codec = new DeflateCodec(thresholdBytes: 0, level: 9, windowBits: serverWindow);
        var text = FarRepeat(length);
        var frame = SharedFrame.Create(WebSocketOpcode.Text, text);

        var twin = frame.ForDeflateRecipient(codec, clientWindow);

        Assert.NotSame(frame, twin);
        Assert.Equal(text, InflateWithWindow([.. twin.Payload, 0x00, 0x00, 0xFF, 0xFF], clientWindow, text.Length));
        frame.Release();
    }

    [Fact]
    public void A_small_window_decompressor_really_rejects_a_15_bit_stream_that_reaches_further()
    {
        // The control for the theory above: the same text compressed with a 15-bit window does not
        // decompress with a 9-bit one, so the twin is withheld from such a client at this length.
        using var codec = new DeflateCodec(thresholdBytes: 0, level: 9, windowBits: 15);
        var text = FarRepeat(200_000);
        var twin = codec.Compress(text, WebSocketOpcode.Text)!;

        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => InflateWithWindow([.. twin.Payload, 0x00, 0x00, 0xFF, 0xFF], 9, text.Length));
        var frame = SharedFrame.Create(WebSocketOpcode.Text, text);
        Assert.Same(frame, frame.ForDeflateRecipient(codec, 9));
        twin.Release();
        frame.Release();
    }

    /// <summary>A block of 4,000 random letters repeated: the only matches are 4,000 bytes back (within 12 and 15 bits, beyond 9 and 10).</summary>
    private static byte[] FarRepeat(int length)
    {
        var random = new Random(11);
        var block = new byte[4000];
        for (var i = 0; i < block.Length; i++)
        {
            block[i] = (byte)('a' + random.Next(26));
        }

        var text = new byte[length];
        for (var i = 0; i < length; i++)
        {
            text[i] = block[i % block.Length];
        }

        return text;
    }

    /// <summary>
    /// Decompresses 64 bytes of output at a time with a decompressor whose window is 2^windowBits
    /// bytes, as a memory-bound client does: a back-reference beyond the window then fails
    /// (one big output buffer would let zlib copy from the output and hide it).
    /// </summary>
    private static unsafe byte[] InflateWithWindow(byte[] input, int windowBits, int expectedLength)
    {
        var output = new byte[expectedLength + 16];
        var stream = (ZlibNative.ZStream*)System.Runtime.InteropServices.NativeMemory.AllocZeroed((nuint)sizeof(ZlibNative.ZStream));
        try
        {
            Assert.Equal(ZlibNative.Ok, ZlibNative.InflateInit2(stream, -windowBits));
            var written = 0;
            fixed (byte* inPtr = input)
            fixed (byte* outPtr = output)
            {
                stream->NextIn = inPtr;
                stream->AvailIn = (uint)input.Length;
                // Bounded: every round either produces output or ends the loop.
                for (var round = 0; round < output.Length + 16 && (stream->AvailIn > 0 || written == 0); round++)
                {
                    var room = Math.Min(64, output.Length - written);
                    stream->NextOut = outPtr + written;
                    stream->AvailOut = (uint)room;
                    var result = ZlibNative.Inflate(stream, ZlibNative.SyncFlush);
                    Assert.True(result is ZlibNative.Ok or ZlibNative.BufError, $"inflate with a {windowBits}-bit window returned {result}");
                    var produced = room - (int)stream->AvailOut;
                    written += produced;
                    if (produced == 0 && stream->AvailIn == 0)
                    {
                        break;
                    }
                }

                return output[..written];
            }
        }
        finally
        {
            ZlibNative.InflateEnd(stream);
            System.Runtime.InteropServices.NativeMemory.Free(stream);
        }
    }
}
