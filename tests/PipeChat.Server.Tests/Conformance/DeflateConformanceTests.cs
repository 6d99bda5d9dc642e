using System.IO.Compression;
using System.Text;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Tests.Compression;
using PipeChat.Server.Tests.Interop;

namespace PipeChat.Server.Tests.Conformance;

/// <summary>
/// permessage-deflate (RFC 7692) on the echo endpoint, modelled on Autobahn sections 12 and 13
/// (compressed messages of every size, both ways, fragmented, with control frames between the
/// fragments) plus the failure cases: RSV1 where it may not be, bad compressed data, a
/// decompression bomb. The server runs with its defaults: extension on, threshold 256 bytes.
/// </summary>
public abstract class DeflateConformanceTests(EchoServerFixture server)
{
    /// <summary>On PipeChat's lean transport (<c>--transport pipechat</c>, the default for ws://).</summary>
    public sealed class Lean(EchoServerFixture server) : DeflateConformanceTests(server), IClassFixture<EchoServerFixture>;

    /// <summary>On Kestrel's sockets transport (<c>--transport kestrel</c>, what wss:// uses).</summary>
    public sealed class Kestrel(KestrelEchoServerFixture server) : DeflateConformanceTests(server), IClassFixture<KestrelEchoServerFixture>;

    private const string Offer = "permessage-deflate; client_max_window_bits";
    private const string Accepted = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";
    private const int Threshold = 256;

    public static TheoryData<string> Sizes() => ["0", "125", "126", "255", "256", "65535", "65536", "1mib"];

    private Task<RawWebSocketClient> ConnectAsync(string extensions = Offer) => RawWebSocketClient.ConnectAsync(server.Port, "/echo", extensions: extensions);

    [Theory]
    [InlineData("permessage-deflate", Accepted)]
    [InlineData("permessage-deflate; client_max_window_bits", Accepted)]
    [InlineData("permessage-deflate; client_max_window_bits=10", Accepted + "; client_max_window_bits=10")]
    [InlineData("permessage-deflate; server_max_window_bits=10", Accepted + "; server_max_window_bits=10")]
    [InlineData("permessage-deflate; server_no_context_takeover; client_no_context_takeover", Accepted)]
    [InlineData("permessage-deflate; server_max_window_bits=16, permessage-deflate; server_max_window_bits=\"9\"", Accepted + "; server_max_window_bits=9")]
    [InlineData("x-webkit-deflate-frame, permessage-deflate; client_max_window_bits", Accepted)]
    public async Task Offer_is_answered_with_the_accepted_parameters(string offer, string expected)
    {
        await using var client = await ConnectAsync(offer);

        Assert.Equal(expected, client.Extensions);
        await client.SendFrameAsync(WebSocketOpcode.Text, "still a WebSocket"u8);
        await client.ExpectTextAsync("still a WebSocket");
    }

    [Theory]
    [InlineData("permessage-deflate; foo")]
    [InlineData("permessage-deflate; server_max_window_bits")]
    [InlineData("permessage-deflate; server_max_window_bits=7")]
    [InlineData("permessage-deflate; client_max_window_bits=010")]
    [InlineData("permessage-deflate; server_no_context_takeover; server_no_context_takeover")]
    [InlineData("permessage-deflate; client_no_context_takeover=1")]
    [InlineData("permessage-deflate; ; client_max_window_bits")]
    [InlineData("permessage-deflate; server_max_window_bits=\"1 5\"")]
    [InlineData("x-webkit-deflate-frame")]
    public async Task Unacceptable_offer_is_declined_and_RSV1_stays_a_protocol_error(string offer)
    {
        await using var client = await ConnectAsync(offer);

        Assert.Null(client.Extensions);
        await client.SendFrameAsync(WebSocketOpcode.Text, "plain"u8);
        await client.ExpectTextAsync("plain");
        await client.SendIgnoringClosedAsync(ClientFrames.Build(WebSocketOpcode.Text, ReferenceDeflate.Compress("compressed"u8), rsv: 4));
        await client.ExpectCloseAsync(WebSocketCloseCodes.ProtocolError);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task Compressed_text_of_every_length_class_is_echoed_compressed_from_the_threshold_up(string size)
    {
        var payload = InteropCases.SizedText(ParseSize(size));
        await using var client = await ConnectAsync();

        await client.SendFrameAsync(WebSocketOpcode.Text, CompressForWire(payload), rsv: 4);

        var echo = await ReceiveMessageAsync(client);
        Assert.Equal(WebSocketOpcode.Text, echo.Opcode);
        Assert.Equal(payload.Length >= Threshold, echo.Compressed);
        Assert.Equal(payload, echo.Payload);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task Compressed_binary_of_every_length_class_is_echoed(string size)
    {
        var payload = InteropCases.SizedBinary(ParseSize(size));
        await using var client = await ConnectAsync();

        await client.SendFrameAsync(WebSocketOpcode.Binary, CompressForWire(payload), rsv: 4);

        var echo = await ReceiveMessageAsync(client);
        Assert.Equal(WebSocketOpcode.Binary, echo.Opcode);

        // Bytes (i * 7 + 3) mod 256 repeat every 256 bytes: one period alone does not compress.
        Assert.Equal(payload.Length > 256, echo.Compressed);
        Assert.Equal(payload, echo.Payload);
    }

    [Fact]
    public async Task Uncompressed_messages_still_work_on_a_deflate_connection()
    {
        var large = InteropCases.SizedText(5000);
        await using var client = await ConnectAsync();

        await client.SendFrameAsync(WebSocketOpcode.Text, "small plain"u8);
        await client.ExpectTextAsync("small plain");
        await client.SendFrameAsync(WebSocketOpcode.Text, large);
        var echo = await ReceiveMessageAsync(client);
        Assert.True(echo.Compressed, "a large echo goes out compressed even when the client sent it plain");
        Assert.Equal(large, echo.Payload);
    }

    [Fact]
    public async Task Random_data_goes_out_uncompressed_when_compression_does_not_pay()
    {
        var random = new byte[4000];
        new Random(3).NextBytes(random);
        await using var client = await ConnectAsync();

        await client.SendFrameAsync(WebSocketOpcode.Binary, random);

        var echo = await ReceiveMessageAsync(client);
        Assert.False(echo.Compressed);
        Assert.Equal(random, echo.Payload);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(64)]
    public async Task Fragmented_compressed_message_with_pings_between_fragments_is_echoed(int fragments)
    {
        var payload = InteropCases.SizedText(20_000);
        var compressed = CompressForWire(payload);
        await using var client = await ConnectAsync();

        var size = (compressed.Length + fragments - 1) / fragments;
        var pings = 0;
        for (var offset = 0; offset < compressed.Length; offset += size)
        {
            var piece = compressed.AsSpan(offset, Math.Min(size, compressed.Length - offset));
            var first = offset == 0;
            var last = offset + size >= compressed.Length;
            await client.SendFrameAsync(first ? WebSocketOpcode.Text : WebSocketOpcode.Continuation, piece, fin: last, rsv: first ? 4 : 0);
            if (!last)
            {
                await client.SendFrameAsync(WebSocketOpcode.Ping, Encoding.ASCII.GetBytes("p" + pings));
                pings++;
            }
        }

        for (var i = 0; i < pings; i++)
        {
            await client.ExpectPongAsync(Encoding.ASCII.GetBytes("p" + i));
        }

        var echo = await ReceiveMessageAsync(client);
        Assert.True(echo.Compressed);
        Assert.Equal(payload, echo.Payload);
    }

    [Fact]
    public async Task Compressed_message_split_in_one_byte_writes_is_echoed()
    {
        var payload = InteropCases.SizedText(1000);
        await using var client = await ConnectAsync();

        await client.SendChunkedAsync(ClientFrames.Build(WebSocketOpcode.Text, CompressForWire(payload), rsv: 4), 1);

        Assert.Equal(payload, (await ReceiveMessageAsync(client)).Payload);
    }

    [Fact]
    public async Task Several_compressed_messages_in_a_row_decompress_independently()
    {
        await using var client = await ConnectAsync();
        for (var i = 0; i < 20; i++)
        {
            var payload = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat($"message {i} 消息 ", 30 + i)));
            await client.SendFrameAsync(WebSocketOpcode.Text, CompressForWire(payload), rsv: 4);
            Assert.Equal(payload, (await ReceiveMessageAsync(client)).Payload);
        }
    }

    [Theory]
    [InlineData(WebSocketOpcode.Ping)]
    [InlineData(WebSocketOpcode.Pong)]
    [InlineData(WebSocketOpcode.Close)]
    public async Task RSV1_on_a_control_frame_is_closed_with_1002(WebSocketOpcode opcode)
    {
        await using var client = await ConnectAsync();
        var payload = opcode == WebSocketOpcode.Close ? ClientFrames.ClosePayload(1000) : "ctl"u8.ToArray();

        await client.SendIgnoringClosedAsync(ClientFrames.Build(opcode, payload, rsv: 4));

        await client.ExpectCloseAsync(WebSocketCloseCodes.ProtocolError);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RSV1_on_a_continuation_frame_is_closed_with_1002(bool firstCompressed)
    {
        var compressed = CompressForWire(InteropCases.SizedText(600));
        await using var client = await ConnectAsync();

        await client.SendFrameAsync(WebSocketOpcode.Text, firstCompressed ? compressed[..10] : "plain start"u8, fin: false, rsv: firstCompressed ? 4 : 0);
        await client.SendIgnoringClosedAsync(ClientFrames.Build(WebSocketOpcode.Continuation, compressed[10..], fin: true, rsv: 4));

        await client.ExpectCloseAsync(WebSocketCloseCodes.ProtocolError);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(1)]
    public async Task RSV2_and_RSV3_stay_protocol_errors_with_deflate_negotiated(int rsv)
    {
        await using var client = await ConnectAsync();

        await client.SendIgnoringClosedAsync(ClientFrames.Build(WebSocketOpcode.Text, "x"u8, rsv: rsv));

        await client.ExpectCloseAsync(WebSocketCloseCodes.ProtocolError);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF })] // block type 3 is reserved
    [InlineData(new byte[] { 0x00, 0x05, 0x00, 0x00, 0x00, 0x41 })] // stored block whose LEN and NLEN disagree
    public async Task Invalid_compressed_data_is_closed_with_1007(byte[] payload)
    {
        await using var client = await ConnectAsync();

        await client.SendIgnoringClosedAsync(ClientFrames.Build(WebSocketOpcode.Binary, payload, rsv: 4));

        await client.ExpectCloseAsync(WebSocketCloseCodes.InvalidPayloadData);
    }

    [Fact]
    public async Task Compressed_text_that_is_not_UTF8_is_closed_with_1007()
    {
        await using var client = await ConnectAsync();

        await client.SendIgnoringClosedAsync(ClientFrames.Build(WebSocketOpcode.Text, CompressForWire([.. "ok "u8, 0xC0, 0xAF]), rsv: 4));

        await client.ExpectCloseAsync(WebSocketCloseCodes.InvalidPayloadData);
    }

    [Fact]
    public async Task Decompression_bomb_is_stopped_at_the_message_limit_with_1009()
    {
        // 64 MiB of zeros compresses to about 64 KiB: far under the 1 MiB limit on the wire.
        var bomb = CompressForWire(new byte[64 * 1024 * 1024], CompressionLevel.SmallestSize);
        Assert.True(bomb.Length < 100_000);
        await using var client = await ConnectAsync();

        await client.SendIgnoringClosedAsync(ClientFrames.Build(WebSocketOpcode.Binary, bomb, rsv: 4));

        await client.ExpectCloseAsync(WebSocketCloseCodes.MessageTooBig);
    }

    [Fact]
    public async Task Compressed_message_of_exactly_the_limit_passes_and_one_byte_more_is_1009()
    {
        await using (var client = await ConnectAsync())
        {
            var atLimit = new byte[EchoServerFixture.MaxMessageBytes];
            await client.SendFrameAsync(WebSocketOpcode.Binary, CompressForWire(atLimit), rsv: 4);
            Assert.Equal(atLimit.Length, (await ReceiveMessageAsync(client)).Payload.Length);
        }

        await using (var client = await ConnectAsync())
        {
            await client.SendIgnoringClosedAsync(ClientFrames.Build(WebSocketOpcode.Binary, CompressForWire(new byte[EchoServerFixture.MaxMessageBytes + 1]), rsv: 4));
            await client.ExpectCloseAsync(WebSocketCloseCodes.MessageTooBig);
        }
    }

    [Fact]
    public async Task Client_that_asked_for_a_small_server_window_gets_compressed_frames_only_when_they_fit_it()
    {
        await using var client = await ConnectAsync("permessage-deflate; server_max_window_bits=10");
        var fits = InteropCases.SizedText(1024);
        var tooLong = InteropCases.SizedText(1025);

        await client.SendFrameAsync(WebSocketOpcode.Text, fits);
        var first = await ReceiveMessageAsync(client);
        await client.SendFrameAsync(WebSocketOpcode.Text, tooLong);
        var second = await ReceiveMessageAsync(client);

        Assert.True(first.Compressed);
        Assert.Equal(fits, first.Payload);
        Assert.False(second.Compressed);
        Assert.Equal(tooLong, second.Payload);
    }

    [Fact]
    public async Task With_the_extension_off_an_offer_is_declined_and_RSV1_is_a_protocol_error()
    {
        await using var plain = await Support.TestServer.StartAsync("--echo-path", "/echo", "--permessage-deflate", "false");
        await using var client = await RawWebSocketClient.ConnectAsync(plain.Port, "/echo", extensions: Offer);

        Assert.Null(client.Extensions);
        await client.SendFrameAsync(WebSocketOpcode.Text, InteropCases.SizedText(2000));
        var echo = await ReceiveMessageAsync(client);
        Assert.False(echo.Compressed);
        await client.SendIgnoringClosedAsync(ClientFrames.Build(WebSocketOpcode.Text, CompressForWire(InteropCases.SizedText(300)), rsv: 4));
        await client.ExpectCloseAsync(WebSocketCloseCodes.ProtocolError);
    }

    /// <summary>A permessage-deflate payload; an empty message is the single byte 0x00 (RFC 7692 §7.2.3.6).</summary>
    internal static byte[] CompressForWire(byte[] payload, CompressionLevel level = CompressionLevel.Optimal)
        => payload.Length == 0 ? [0x00] : ReferenceDeflate.Compress(payload, level);

    /// <summary>Reads one whole message; decompresses it when its first frame had RSV1.</summary>
    internal static async Task<(WebSocketOpcode Opcode, bool Compressed, byte[] Payload)> ReceiveMessageAsync(RawWebSocketClient client)
    {
        var first = await client.ReceiveFrameAsync();
        Assert.NotNull(first);
        Assert.True(first.Opcode is WebSocketOpcode.Text or WebSocketOpcode.Binary, $"expected a data message, got {first}");
        using var message = new MemoryStream();
        message.Write(first.Payload);
        var last = first;
        while (!last.Fin)
        {
            last = await client.ReceiveFrameAsync();
            Assert.NotNull(last);
            Assert.True(last.Opcode == WebSocketOpcode.Continuation && !last.Rsv1, $"expected a continuation, got {last}");
            message.Write(last.Payload);
        }

        var bytes = message.ToArray();
        return (first.Opcode, first.Rsv1, first.Rsv1 ? ReferenceDeflate.Decompress(bytes) : bytes);
    }

    private static int ParseSize(string size) => size == "1mib" ? 1024 * 1024 : int.Parse(size, System.Globalization.CultureInfo.InvariantCulture);
}
