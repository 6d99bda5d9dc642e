using System.Text;
using PipeChat.Protocol.Framing;

namespace PipeChat.Server.Tests.Conformance;

/// <summary>
/// Autobahn section 7: the close handshake. A valid close is echoed with the same code and the server
/// then ends the TCP connection; a malformed close payload fails with 1002 (1007 for a non-UTF-8 reason);
/// nothing the client sends after its close is answered.
/// </summary>
public abstract class CloseConformanceTests(EchoServerFixture server)
{
    /// <summary>On PipeChat's lean transport (<c>--transport pipechat</c>, the default for ws://).</summary>
    public sealed class Lean(EchoServerFixture server) : CloseConformanceTests(server), IClassFixture<EchoServerFixture>;

    /// <summary>On Kestrel's sockets transport (<c>--transport kestrel</c>, what wss:// uses).</summary>
    public sealed class Kestrel(KestrelEchoServerFixture server) : CloseConformanceTests(server), IClassFixture<KestrelEchoServerFixture>;

    public static TheoryData<int> ValidCodes() => [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999];

    public static TheoryData<int> InvalidCodes() => [0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535];

    [Fact]
    public async Task Close_1000_is_echoed_and_the_server_ends_the_connection()
    {
        await using var client = await server.ConnectAsync();

        await client.SendCloseAsync(1000);

        await AssertCloseEchoedAsync(client, 1000);
    }

    [Theory]
    [InlineData("bye")]
    [InlineData("再见 👋")]
    [InlineData("")]
    public async Task Close_with_a_reason_is_answered_with_the_same_code(string reason)
    {
        await using var client = await server.ConnectAsync();

        await client.SendCloseAsync(1000, Encoding.UTF8.GetBytes(reason));

        await AssertCloseEchoedAsync(client, 1000);
    }

    [Fact]
    public async Task Close_with_the_longest_reason_that_fits_is_answered_with_the_same_code()
    {
        await using var client = await server.ConnectAsync();

        await client.SendCloseAsync(1000, Payloads.Utf8(123));

        await AssertCloseEchoedAsync(client, 1000);
    }

    [Fact]
    public async Task Close_payload_of_126_bytes_is_closed_with_1002()
    {
        await using var client = await server.ConnectAsync();

        await client.SendIgnoringClosedAsync(ClientFrames.Build(WebSocketOpcode.Close, ClientFrames.ClosePayload(1000, Payloads.Utf8(124))));

        await client.ExpectCloseAsync(WebSocketCloseCodes.ProtocolError);
    }

    [Fact]
    public async Task Empty_close_is_answered_with_a_close_and_the_server_ends_the_connection()
    {
        await using var client = await server.ConnectAsync();

        await client.SendCloseAsync(null);

        var frame = await client.ReceiveFrameAsync();
        Assert.NotNull(frame);
        Assert.True(frame is { Opcode: WebSocketOpcode.Close }, $"expected a close frame, got {frame}");
        Assert.True(frame.Payload.Length == 0 || frame.CloseCode == 1000, $"expected an empty close or 1000, got {frame}");
        await client.ExpectEndAsync();
    }

    [Fact]
    public async Task Close_with_a_one_byte_payload_is_closed_with_1002()
    {
        await using var client = await server.ConnectAsync();

        await client.SendIgnoringClosedAsync(ClientFrames.Build(WebSocketOpcode.Close, [0x03]));

        await client.ExpectCloseAsync(WebSocketCloseCodes.ProtocolError);
    }

    [Theory]
    [MemberData(nameof(ValidCodes))]
    public async Task Valid_close_code_is_echoed(int code)
    {
        await using var client = await server.ConnectAsync();

        await client.SendCloseAsync((ushort)code);

        await AssertCloseEchoedAsync(client, (ushort)code);
    }

    [Theory]
    [MemberData(nameof(InvalidCodes))]
    public async Task Invalid_close_code_is_closed_with_1002(int code)
    {
        await using var client = await server.ConnectAsync();

        await client.SendIgnoringClosedAsync(ClientFrames.Build(WebSocketOpcode.Close, ClientFrames.ClosePayload((ushort)code)));

        await client.ExpectCloseAsync(WebSocketCloseCodes.ProtocolError);
    }

    [Theory]
    [InlineData("C0 80")]
    [InlineData("ED A0 80")]
    [InlineData("6F 6B FF")]
    [InlineData("F0 9F 98")]
    public async Task Close_reason_that_is_not_utf8_is_closed_with_1007(string hex)
    {
        await using var client = await server.ConnectAsync();

        await client.SendIgnoringClosedAsync(ClientFrames.Build(WebSocketOpcode.Close, ClientFrames.ClosePayload(1000, ClientFrames.Hex(hex))));

        await client.ExpectCloseAsync(WebSocketCloseCodes.InvalidPayloadData);
    }

    [Theory]
    [InlineData(WebSocketOpcode.Text)]
    [InlineData(WebSocketOpcode.Binary)]
    [InlineData(WebSocketOpcode.Ping)]
    public async Task Frames_after_the_client_close_are_ignored(WebSocketOpcode opcode)
    {
        await using var client = await server.ConnectAsync();

        await client.SendRawAsync(
            ClientFrames.Build(WebSocketOpcode.Close, ClientFrames.ClosePayload(1000))
                .Concat(ClientFrames.Build(opcode, "after close"u8))
                .ToArray());

        await AssertCloseEchoedAsync(client, 1000);
    }

    [Fact]
    public async Task Close_in_the_middle_of_a_fragmented_message_is_echoed()
    {
        await using var client = await server.ConnectAsync();

        await client.SendFrameAsync(WebSocketOpcode.Text, "unfinished"u8, fin: false);
        await client.SendCloseAsync(1000);

        await AssertCloseEchoedAsync(client, 1000);
    }

    [Fact]
    public async Task Messages_before_a_close_are_echoed_before_the_close()
    {
        await using var client = await server.ConnectAsync();

        await client.SendRawAsync(
            ClientFrames.Build(WebSocketOpcode.Text, "one"u8)
                .Concat(ClientFrames.Build(WebSocketOpcode.Binary, "two"u8))
                .Concat(ClientFrames.Build(WebSocketOpcode.Close, ClientFrames.ClosePayload(1000)))
                .ToArray());

        await client.ExpectTextAsync("one");
        await client.ExpectMessageAsync(WebSocketOpcode.Binary, "two"u8.ToArray());
        await AssertCloseEchoedAsync(client, 1000);
    }

    /// <summary>The server's close carries <paramref name="code"/> and is followed by the end of the TCP connection.</summary>
    private static async Task AssertCloseEchoedAsync(RawWebSocketClient client, ushort code)
    {
        var frame = await client.ReceiveFrameAsync();
        Assert.NotNull(frame);
        Assert.True(frame is { Opcode: WebSocketOpcode.Close }, $"expected the close to be echoed with {code}, got {frame}");
        Assert.True(frame.CloseCode == code, $"expected the close to be echoed with {code}, got {frame}");
        await client.ExpectEndAsync();
    }
}
