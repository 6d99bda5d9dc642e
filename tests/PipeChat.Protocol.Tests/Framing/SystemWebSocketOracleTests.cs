using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using PipeChat.Protocol.Framing;

namespace PipeChat.Protocol.Tests.Framing;

/// <summary>Frames written by System.Net.WebSockets parse exactly, and frames we write are read back by it.</summary>
public class SystemWebSocketOracleTests
{
    /// <summary>Runs <paramref name="send"/> on a BCL WebSocket writing into memory and returns the bytes.</summary>
    private static async Task<byte[]> WrittenByBcl(bool isServer, Func<WebSocket, Task> send)
    {
        using var stream = new MemoryStream();
        using (var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = isServer, KeepAliveInterval = TimeSpan.Zero }))
        {
            await send(socket);
        }

        return stream.ToArray();
    }

    private static void AssertAllShapes(byte[] wire, bool readerIsServer, Action<List<ReadEvent>> check)
    {
        // Long inputs: the split-at-every-offset shape is quadratic, so they get whole and a spread of splits.
        if (wire.Length <= 400)
        {
            foreach (var (_, events) in ReadLoop.AllShapes(wire, readerIsServer))
            {
                check(events);
            }

            return;
        }

        check(ReadLoop.Run([wire], readerIsServer));
        for (var at = 1; at < wire.Length; at += 997)
        {
            check(ReadLoop.Run([wire.AsMemory(0, at), wire.AsMemory(at)], readerIsServer));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task BclTextAndBinary_ParseExactly(bool bclIsClient)
    {
        var text = Encoding.UTF8.GetBytes("Hello 世界 🙂");
        var binary = new byte[300];
        new Random(5).NextBytes(binary);
        var wire = await WrittenByBcl(!bclIsClient, async ws =>
        {
            await ws.SendAsync(text, WebSocketMessageType.Text, endOfMessage: true, default);
            await ws.SendAsync(binary, WebSocketMessageType.Binary, endOfMessage: true, default);
        });

        AssertAllShapes(wire, readerIsServer: bclIsClient, events =>
        {
            Assert.Equal(2, events.Count);
            Assert.Equal(WebSocketOpcode.Text, events[0].MessageType);
            Assert.Equal(text, events[0].Data);
            Assert.Equal(WebSocketOpcode.Binary, events[1].MessageType);
            Assert.Equal(binary, events[1].Data);
        });
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task BclFragmentedMessage_IsOneMessage(bool bclIsClient)
    {
        // The split falls inside a multi-byte character, so UTF-8 state must cross fragments.
        var text = Encoding.UTF8.GetBytes("κόσμε-世界");
        var wire = await WrittenByBcl(!bclIsClient, async ws =>
        {
            await ws.SendAsync(text.AsMemory(0, 3), WebSocketMessageType.Text, endOfMessage: false, default);
            await ws.SendAsync(text.AsMemory(3, 5), WebSocketMessageType.Text, endOfMessage: false, default);
            await ws.SendAsync(text.AsMemory(8), WebSocketMessageType.Text, endOfMessage: true, default);
        });

        AssertAllShapes(wire, readerIsServer: bclIsClient, events =>
        {
            var e = Assert.Single(events);
            Assert.Equal(WebSocketOpcode.Text, e.MessageType);
            Assert.Equal(text, e.Data);
        });
    }

    [Theory]
    [InlineData(0)]
    [InlineData(125)]
    [InlineData(126)]
    [InlineData(65535)]
    [InlineData(65536)]
    [InlineData(100_000)]
    public async Task BclFramesOfEveryLengthClass_ParseExactly(int length)
    {
        var payload = new byte[length];
        new Random(length).NextBytes(payload);
        var wire = await WrittenByBcl(isServer: false, ws => ws.SendAsync(payload, WebSocketMessageType.Binary, true, default));
        AssertAllShapes(wire, readerIsServer: true, events => Assert.Equal(payload, Assert.Single(events).Data));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task BclClose_ParsesWithCodeAndReason(bool bclIsClient)
    {
        var wire = await WrittenByBcl(!bclIsClient, ws => ws.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "rate limit ✋", default));
        AssertAllShapes(wire, readerIsServer: bclIsClient, events =>
        {
            var e = Assert.Single(events);
            Assert.Equal(WebSocketReadResult.Close, e.Result);
            Assert.Equal(WebSocketCloseCodes.PolicyViolation, e.CloseCode);
            Assert.Equal("rate limit ✋", Encoding.UTF8.GetString(e.CloseReason));
        });
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task OurFrames_AreReadBackByTheBcl(bool weAreServer)
    {
        var text = Encoding.UTF8.GetBytes("Hello 世界");
        var big = new byte[70_000];
        new Random(9).NextBytes(big);
        var output = new ArrayBufferWriter<byte>();
        if (weAreServer)
        {
            FrameWriter.WriteFrame(output, WebSocketOpcode.Text, text.AsSpan(0, 7), fin: false);
            FrameWriter.WriteFrame(output, WebSocketOpcode.Continuation, text.AsSpan(7));
            FrameWriter.WriteFrame(output, WebSocketOpcode.Binary, big);
            FrameWriter.WriteClose(output, 4001, "bye"u8);
        }
        else
        {
            FrameWriter.WriteMaskedFrame(output, WebSocketOpcode.Text, text.AsSpan(0, 7), 0x01020304, fin: false);
            FrameWriter.WriteMaskedFrame(output, WebSocketOpcode.Continuation, text.AsSpan(7), 0x0A0B0C0D);
            FrameWriter.WriteMaskedFrame(output, WebSocketOpcode.Binary, big, 0xFFEEDDCC);
            FrameWriter.WriteClose(output, 4001, "bye"u8, masked: true, maskKey: 0x55AA55AA);
        }

        using var stream = new MemoryStream(output.WrittenSpan.ToArray());
        using var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = !weAreServer, KeepAliveInterval = TimeSpan.Zero });

        Assert.Equal(text, await ReceiveMessage(socket, WebSocketMessageType.Text));
        Assert.Equal(big, await ReceiveMessage(socket, WebSocketMessageType.Binary));
        var close = await socket.ReceiveAsync(new byte[16], default);
        Assert.Equal(WebSocketMessageType.Close, close.MessageType);
        Assert.Equal((WebSocketCloseStatus)4001, close.CloseStatus);
        Assert.Equal("bye", close.CloseStatusDescription);
    }

    private static async Task<byte[]> ReceiveMessage(WebSocket socket, WebSocketMessageType expectedType)
    {
        var message = new MemoryStream();
        var buffer = new byte[8192];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, default);
            Assert.Equal(expectedType, result.MessageType);
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return message.ToArray();
            }
        }
    }
}
