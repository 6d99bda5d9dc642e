using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using PipeChat.Server.Configuration;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Connections;
using PipeChat.Server.Diagnostics;
using PipeChat.Server.Hosting;
using PipeChat.Server.Tests.Conformance;

namespace PipeChat.Server.Tests.Sessions;

/// <summary>
/// One <see cref="WebSocketSession"/> running over an <see cref="InMemoryConnection"/>, with a
/// client side that writes raw bytes and reads the server's HTTP head and frames. No socket,
/// no host, no timer: the heartbeat is called by the test with the tick it chooses.
/// </summary>
internal sealed class SessionHarness : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly ServerMetrics _metrics = new();

    public SessionHarness(RecordingApplication? application = null, Func<PipeWriter, PipeWriter>? wrapOutput = null, Action<ServerOptions>? configure = null)
    {
        var options = new ServerOptions { PermessageDeflate = false, PingIntervalSeconds = 25, CloseTimeoutSeconds = 5, HandshakeTimeoutSeconds = 10 };
        configure?.Invoke(options);
        Application = application ?? new RecordingApplication();
        Server = new ServerContext(options, _metrics, Logger, new SessionRegistry(), Application);
        Connection = new InMemoryConnection(wrapOutput);
        Session = new WebSocketSession(Connection, Server);
        Run = Session.RunAsync();
    }

    public RecordingLogger Logger { get; } = new();

    public RecordingApplication Application { get; }

    public ServerContext Server { get; }

    public InMemoryConnection Connection { get; }

    public WebSocketSession Session { get; }

    /// <summary>The session's run; completes when the session has ended.</summary>
    public Task Run { get; }

    public static string UpgradeRequest(out string key)
    {
        key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        return "GET /chat HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
    }

    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        await Connection.ClientOutput.WriteAsync(bytes);
    }

    public Task SendAsync(string ascii) => SendAsync(Encoding.ASCII.GetBytes(ascii));

    public Task SendFrameAsync(WebSocketOpcode opcode, ReadOnlySpan<byte> payload) => SendAsync(ClientFrames.Build(opcode, payload));

    /// <summary>Sends the upgrade request and reads the 101; returns once the application saw the connection open.</summary>
    public async Task UpgradeAsync()
    {
        await SendAsync(UpgradeRequest(out var key));
        var head = await ReadHttpHeadAsync();
        Assert.StartsWith("HTTP/1.1 101", head, StringComparison.Ordinal);
        Assert.Contains("Sec-WebSocket-Accept: " + RawWebSocketClient.ExpectedAccept(key), head, StringComparison.Ordinal);
        await Application.Opened.Task.WaitAsync(Timeout);
    }

    /// <summary>Reads the server's HTTP response head (through the blank line).</summary>
    public async Task<string> ReadHttpHeadAsync()
    {
        var input = Connection.ClientInput;
        using var cancel = new CancellationTokenSource(Timeout);
        while (true)
        {
            var result = await input.ReadAsync(cancel.Token);
            var buffer = result.Buffer;
            var reader = new SequenceReader<byte>(buffer);
            if (reader.TryReadTo(out ReadOnlySequence<byte> head, "\r\n\r\n"u8))
            {
                var text = Encoding.ASCII.GetString(head);
                input.AdvanceTo(reader.Position);
                return text;
            }

            Assert.False(result.IsCompleted, "the server ended the connection before a complete HTTP head");
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>The next server frame (unmasked, payload under 64 KiB), or null once the server ended its output.</summary>
    public async Task<(WebSocketOpcode Opcode, byte[] Payload)?> ReadFrameAsync()
    {
        var input = Connection.ClientInput;
        using var cancel = new CancellationTokenSource(Timeout);
        while (true)
        {
            var result = await input.ReadAsync(cancel.Token);
            var buffer = result.Buffer;
            if (TryParse(buffer, out var frame, out var consumed))
            {
                input.AdvanceTo(consumed);
                return frame;
            }

            if (result.IsCompleted)
            {
                Assert.True(buffer.IsEmpty, "the server ended its output in the middle of a frame");
                input.AdvanceTo(buffer.End);
                return null;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Asserts the server sends nothing more and ends its output.</summary>
    public async Task ExpectEndAsync()
    {
        var frame = await ReadFrameAsync();
        Assert.True(frame is null, $"expected the end of the server's output, got a {frame?.Opcode} frame");
    }

    public async ValueTask DisposeAsync()
    {
        Connection.Abort(new Microsoft.AspNetCore.Connections.ConnectionAbortedException("test over"));
        await Run.WaitAsync(Timeout);
        _metrics.Dispose();
    }

    private static bool TryParse(ReadOnlySequence<byte> buffer, out (WebSocketOpcode, byte[]) frame, out SequencePosition consumed)
    {
        frame = default;
        consumed = buffer.Start;
        Span<byte> header = stackalloc byte[4];
        if (buffer.Length < 2)
        {
            return false;
        }

        buffer.Slice(0, Math.Min(4, buffer.Length)).CopyTo(header);
        Assert.True((header[1] & 0x80) == 0, "a server frame must not be masked");
        int length = header[1] & 0x7F, headerLength = 2;
        if (length == 126)
        {
            if (buffer.Length < 4)
            {
                return false;
            }

            length = BinaryPrimitives.ReadUInt16BigEndian(header[2..]);
            headerLength = 4;
        }

        Assert.True(length != 127, "unexpectedly large server frame");
        if (buffer.Length < headerLength + length)
        {
            return false;
        }

        frame = ((WebSocketOpcode)(header[0] & 0x0F), buffer.Slice(headerLength, length).ToArray());
        consumed = buffer.GetPosition(headerLength + length);
        return true;
    }
}
