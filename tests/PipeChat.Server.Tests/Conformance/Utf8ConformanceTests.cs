using System.Text;
using PipeChat.Protocol.Framing;

namespace PipeChat.Server.Tests.Conformance;

/// <summary>
/// Autobahn section 6: valid UTF-8 text is echoed however it is fragmented; invalid UTF-8 fails the
/// connection with 1007, and as soon as the invalid bytes arrive (fail-fast), not at the end of the message.
/// </summary>
public abstract class Utf8ConformanceTests(EchoServerFixture server)
{
    /// <summary>On PipeChat's lean transport (<c>--transport pipechat</c>, the default for ws://).</summary>
    public sealed class Lean(EchoServerFixture server) : Utf8ConformanceTests(server), IClassFixture<EchoServerFixture>;

    /// <summary>On Kestrel's sockets transport (<c>--transport kestrel</c>, what wss:// uses).</summary>
    public sealed class Kestrel(KestrelEchoServerFixture server) : Utf8ConformanceTests(server), IClassFixture<KestrelEchoServerFixture>;

    private static readonly string[] s_validTexts =
    [
        "Hello-µ@ßöäüàá-UTF-8!!",
        "κόσμε",
        "你好，世界",
        "こんにちは世界",
        "Привет, мир",
        "مرحبا بالعالم",
        "שלום עולם",
        "नमस्ते दुनिया",
        "🎉🚀😀 emoji 👋🏽",
        "𝄞 𝕳𝖊𝖑𝖑𝖔 𠜎",
    ];

    // Boundary code points: U+007F, U+0080, U+07FF, U+0800, U+D7FF, U+E000, U+FFFD, U+FFFE, U+FFFF, U+10000, U+10FFFF.
    private static readonly string[] s_validBoundaryHex =
    [
        "7F", "C2 80", "DF BF", "E0 A0 80", "ED 9F BF", "EE 80 80", "EF BF BD", "EF BF BE", "EF BF BF", "F0 90 80 80", "F4 8F BF BF",
    ];

    private static readonly string[] s_invalidHex =
    [
        "CE BA E1 BD B9 CF 83 CE BC CE B5 ED A0 80 65 64 69 74 65 64", // κόσμε, a surrogate, "edited"
        "80",                   // lone continuation byte
        "BF",
        "80 BF 80 BF",
        "C0 80",                // overlong NUL
        "C1 BF",                // overlong
        "E0 80 AF",             // overlong '/'
        "E0 9F BF",             // overlong U+07FF
        "F0 80 80 AF",          // overlong '/'
        "F0 8F BF BF",          // overlong U+FFFF
        "ED A0 80",             // high surrogate
        "ED BF BF",             // low surrogate
        "ED A0 BD ED B2 8E",    // surrogate pair encoded as two 3-byte sequences
        "F4 90 80 80",          // above U+10FFFF
        "F5 80 80 80",
        "F8 88 80 80 80",       // 5-byte form
        "FC 84 80 80 80 80",    // 6-byte form
        "FE",
        "FF",
        "C2",                   // truncated at the end of the message
        "E2 82",
        "F0 9F 98",
        "C2 41",                // missing continuation
        "E2 28 A1",
        "48 65 6C 6C 6F C0 80 77 6F 72 6C 64", // "Hello", overlong NUL, "world"
    ];

    // Invalid as soon as they arrive, whatever follows.
    private static readonly string[] s_failFastHex = ["C0 80", "FF", "ED A0 80", "F4 90 80 80", "80"];

    public static TheoryData<string, bool> ValidTexts() => Cross(s_validTexts);

    public static TheoryData<string, bool> ValidBoundaries() => Cross(s_validBoundaryHex);

    public static TheoryData<string, bool> InvalidSequences() => Cross(s_invalidHex);

    public static TheoryData<string> FailFastSequences() => [.. s_failFastHex];

    [Theory]
    [MemberData(nameof(ValidTexts))]
    public async Task Valid_text_is_echoed_exactly(string text, bool oneBytePerFragment)
        => await AssertEchoedAsync(Encoding.UTF8.GetBytes(text), oneBytePerFragment);

    [Theory]
    [MemberData(nameof(ValidBoundaries))]
    public async Task Boundary_code_point_is_echoed_exactly(string hex, bool oneBytePerFragment)
        => await AssertEchoedAsync(ClientFrames.Hex(hex), oneBytePerFragment);

    [Theory]
    [MemberData(nameof(InvalidSequences))]
    public async Task Invalid_utf8_text_is_closed_with_1007(string hex, bool oneBytePerFragment)
    {
        await using var client = await server.ConnectAsync();
        var payload = ClientFrames.Hex(hex);

        await client.SendIgnoringClosedAsync(Frames(payload, oneBytePerFragment));

        await client.ExpectCloseAsync(WebSocketCloseCodes.InvalidPayloadData);
    }

    [Theory]
    [MemberData(nameof(FailFastSequences))]
    public async Task Invalid_bytes_in_the_first_chunk_of_a_frame_close_with_1007_before_the_frame_ends(string hex)
    {
        await using var client = await server.ConnectAsync(TimeSpan.FromSeconds(15));
        var payload = Payloads.Utf8(64 * 1024);
        var invalid = ClientFrames.Hex(hex);
        invalid.CopyTo(payload, 5);
        var frame = ClientFrames.Build(WebSocketOpcode.Text, payload);

        await client.SendRawAsync(frame.AsMemory(0, 64));

        await client.ExpectCloseAsync(WebSocketCloseCodes.InvalidPayloadData, reply: false);
    }

    [Theory]
    [MemberData(nameof(FailFastSequences))]
    public async Task Invalid_bytes_in_the_first_fragment_close_with_1007_before_the_message_ends(string hex)
    {
        await using var client = await server.ConnectAsync();
        var fragment = "Hello"u8.ToArray().Concat(ClientFrames.Hex(hex)).Concat("world"u8.ToArray()).ToArray();

        await client.SendFrameAsync(WebSocketOpcode.Text, fragment, fin: false);

        await client.ExpectCloseAsync(WebSocketCloseCodes.InvalidPayloadData);
    }

    [Theory]
    [InlineData("C0 80")]
    [InlineData("ED A0 80")]
    public async Task Invalid_bytes_early_in_a_continuation_frame_close_with_1007_before_the_frame_ends(string hex)
    {
        await using var client = await server.ConnectAsync(TimeSpan.FromSeconds(15));
        var payload = Payloads.Utf8(64 * 1024);
        ClientFrames.Hex(hex).CopyTo(payload, 3);

        await client.SendFrameAsync(WebSocketOpcode.Text, "valid start "u8, fin: false);
        await client.SendRawAsync(ClientFrames.Build(WebSocketOpcode.Continuation, payload).AsMemory(0, 64));

        await client.ExpectCloseAsync(WebSocketCloseCodes.InvalidPayloadData, reply: false);
    }

    [Fact]
    public async Task Four_byte_sequence_split_across_fragments_is_echoed_exactly()
    {
        await using var client = await server.ConnectAsync();
        var emoji = "🎉"u8.ToArray();

        await client.SendFrameAsync(WebSocketOpcode.Text, emoji.AsSpan(0, 1), fin: false);
        await client.SendFrameAsync(WebSocketOpcode.Continuation, emoji.AsSpan(1, 2), fin: false);
        await client.SendFrameAsync(WebSocketOpcode.Continuation, emoji.AsSpan(3, 1), fin: true);

        await client.ExpectMessageAsync(WebSocketOpcode.Text, emoji);
    }

    [Fact]
    public async Task Invalid_utf8_in_a_binary_message_is_echoed_untouched()
    {
        await using var client = await server.ConnectAsync();
        var payload = ClientFrames.Hex("C0 80 FF FE ED A0 80");

        await client.SendFrameAsync(WebSocketOpcode.Binary, payload);

        await client.ExpectMessageAsync(WebSocketOpcode.Binary, payload);
    }

    private async Task AssertEchoedAsync(byte[] payload, bool oneBytePerFragment)
    {
        await using var client = await server.ConnectAsync();

        await client.SendRawAsync(Frames(payload, oneBytePerFragment));

        await client.ExpectMessageAsync(WebSocketOpcode.Text, payload);
    }

    private static byte[] Frames(byte[] payload, bool oneBytePerFragment)
        => oneBytePerFragment
            ? FragmentationConformanceTests.Fragments(WebSocketOpcode.Text, payload, 1)
            : ClientFrames.Build(WebSocketOpcode.Text, payload);

    private static TheoryData<string, bool> Cross(string[] values)
    {
        var data = new TheoryData<string, bool>();
        foreach (var value in values)
        {
            data.Add(value, false);
            data.Add(value, true);
        }

        return data;
    }
}
