using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using PipeChat.Protocol.Framing;

namespace PipeChat.Server.Tests.Support;

/// <summary>
/// A deliberately low-level WebSocket client over a plain TCP socket: it writes whatever bytes a
/// test asks for and reads back exactly what the server sent, so a case can assert the strict
/// outcome (exact echo, or a close frame with the exact code before the TCP connection ends).
/// Every operation runs under one deadline per client so a misbehaving server fails the case
/// instead of hanging the suite; the chat-style helpers (<see cref="UpgradeAsync"/>,
/// <see cref="GetAsync"/>, <see cref="SendTextMessageAsync"/>, <see cref="ReadToEndAsync(TimeSpan)"/>)
/// each start a deadline of their own, so a test can leave the client unread for a while (a slow
/// consumer) and then read.
/// </summary>
internal sealed class RawWebSocketClient : IAsyncDisposable, IDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(4);

    private static readonly TimeSpan s_endTimeout = TimeSpan.FromSeconds(2);

    private readonly Socket _socket;
    private CancellationTokenSource _deadline;
    private TimeSpan _timeout;
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private readonly List<string> _received = [];

    private RawWebSocketClient(Socket socket, TimeSpan timeout)
    {
        _socket = socket;
        _timeout = timeout;
        _deadline = new CancellationTokenSource(timeout);
    }

    /// <summary>The server's Sec-WebSocket-Extensions answer (null: none); when set, frames may carry RSV1.</summary>
    public string? Extensions { get; private set; }

    /// <summary>True once the server ended the connection with a reset rather than a FIN.</summary>
    public bool EndedByReset { get; private set; }

    private CancellationToken Token => _deadline.Token;

    /// <summary>Opens a TCP connection and sends nothing.</summary>
    /// <param name="receiveBufferSize">The socket's receive buffer; a small one makes the server's send side fill quickly (a slow consumer).</param>
    public static async Task<RawWebSocketClient> OpenAsync(int port, TimeSpan? timeout = null, int? receiveBufferSize = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (receiveBufferSize is { } size)
        {
            socket.ReceiveBufferSize = size;
        }

        var client = new RawWebSocketClient(socket, timeout ?? DefaultTimeout);
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port, client.Token);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>Opens a TCP connection and completes the WebSocket opening handshake on <paramref name="path"/>.</summary>
    /// <param name="extensions">A Sec-WebSocket-Extensions offer to send (e.g. "permessage-deflate"), or null.</param>
    public static async Task<RawWebSocketClient> ConnectAsync(int port, string path = "/echo", TimeSpan? timeout = null, string? extensions = null)
    {
        var client = await OpenAsync(port, timeout);
        try
        {
            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            var offer = extensions is null ? "" : $"Sec-WebSocket-Extensions: {extensions}\r\n";
            await client.SendTextAsync(
                $"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{offer}\r\n");
            var head = await client.ReadHttpHeadAsync();
            Assert.True(head.StatusCode == 101, $"expected 101 Switching Protocols, got \"{head.StatusLine}\"");
            Assert.Equal(ExpectedAccept(key), head.Headers.GetValueOrDefault("Sec-WebSocket-Accept"));
            client.Extensions = head.Headers.GetValueOrDefault("Sec-WebSocket-Extensions");
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends an upgrade request for the path (no extension offered) and returns the response head.</summary>
    public async Task<HttpResponseHead> UpgradeAsync(string pathAndQuery, string extraHeaders = "")
    {
        RestartDeadline(DefaultTimeout);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        await SendTextAsync($"GET {pathAndQuery} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{extraHeaders}\r\n");
        return await ReadHttpHeadAsync();
    }

    /// <summary>Sends a plain HTTP GET (no upgrade) and returns the response head.</summary>
    public async Task<HttpResponseHead> GetAsync(string path)
    {
        RestartDeadline(DefaultTimeout);
        await SendTextAsync($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        return await ReadHttpHeadAsync();
    }

    /// <summary>The status code of a response head (kept for the chat tests' call shape).</summary>
    public static int StatusOf(HttpResponseHead head) => head.StatusCode;

    /// <summary>Sends one whole masked text message (one frame); <see cref="SendTextAsync"/> sends raw bytes instead.</summary>
    public Task SendTextMessageAsync(string text)
    {
        RestartDeadline(DefaultTimeout);
        return SendFrameAsync(WebSocketOpcode.Text, Encoding.UTF8.GetBytes(text));
    }

    /// <summary>
    /// Reads server frames until a close frame or the end of the connection, within
    /// <paramref name="timeout"/>. Returns the number of text frames seen and the close code (null
    /// when the connection ended, or was reset, without one).
    /// </summary>
    public async Task<(int TextFrames, int? CloseCode)> ReadToEndAsync(TimeSpan timeout)
    {
        RestartDeadline(timeout);
        var textFrames = 0;
        try
        {
            while (await ReceiveFrameAsync() is { } frame)
            {
                if (frame.Opcode == WebSocketOpcode.Text)
                {
                    textFrames++;
                }
                else if (frame.Opcode == WebSocketOpcode.Close)
                {
                    return (textFrames, frame.CloseCode);
                }
            }
        }
        catch (InvalidDataException)
        {
            // The connection ended inside a frame (the server aborted it).
        }
        catch (SocketException)
        {
        }

        return (textFrames, null);
    }

    /// <summary>The Sec-WebSocket-Accept value RFC 6455 §4.2.2 requires for <paramref name="key"/>.</summary>
    public static string ExpectedAccept(string key)
        => Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));

    public Task SendTextAsync(string ascii) => SendRawAsync(Encoding.UTF8.GetBytes(ascii));

    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            while (!bytes.IsEmpty)
            {
                var sent = await _socket.SendAsync(bytes, SocketFlags.None, Token);
                bytes = bytes[sent..];
            }
        }
        catch (OperationCanceledException) when (Token.IsCancellationRequested)
        {
            throw Timeout("sending");
        }
    }

    /// <summary>Sends <paramref name="bytes"/> in writes of at most <paramref name="chunkSize"/> bytes.</summary>
    public async Task SendChunkedAsync(ReadOnlyMemory<byte> bytes, int chunkSize)
    {
        for (var offset = 0; offset < bytes.Length; offset += chunkSize)
        {
            await SendRawAsync(bytes.Slice(offset, Math.Min(chunkSize, bytes.Length - offset)));
        }
    }

    /// <summary>Sends bytes, ignoring a connection the server already closed (for cases that expect a close).</summary>
    public async Task SendIgnoringClosedAsync(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            await SendRawAsync(bytes);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public Task SendFrameAsync(WebSocketOpcode opcode, ReadOnlySpan<byte> payload, bool fin = true, int rsv = 0)
        => SendRawAsync(ClientFrames.Build(opcode, payload, fin, rsv));

    public Task SendCloseAsync(ushort? code, ReadOnlySpan<byte> reason = default)
        => SendFrameAsync(WebSocketOpcode.Close, ClientFrames.ClosePayload(code, reason));

    /// <summary>Reads an HTTP response head (through the blank line); bytes after it stay buffered.</summary>
    public async Task<HttpResponseHead> ReadHttpHeadAsync()
    {
        while (true)
        {
            var end = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                var head = Encoding.Latin1.GetString(_buffer, _start, end);
                _start += end + 4;
                return HttpResponseHead.Parse(head);
            }

            if (!await FillAsync(_end - _start + 1))
            {
                throw new InvalidDataException(
                    $"connection ended before a complete HTTP response head; got \"{Encoding.Latin1.GetString(_buffer, _start, _end - _start)}\"");
            }
        }
    }

    /// <summary>Reads until the server ends the connection; returns how many bytes arrived.</summary>
    public async Task<int> ReadToEndAsync()
    {
        var total = _end - _start;
        _start = _end = 0;
        while (await FillAsync(1))
        {
            total += _end - _start;
            _start = _end = 0;
        }

        return total;
    }

    /// <summary>The next frame from the server, or null once the connection has ended cleanly between frames.</summary>
    public async Task<ServerFrame?> ReceiveFrameAsync()
    {
        while (true)
        {
            var available = _buffer.AsSpan(_start, _end - _start);
            var status = FrameHeaderReader.TryRead(available, expectMasked: false, allowRsv1: Extensions is not null, out var header, out var closeCode);
            if (status == ParseStatus.Invalid)
            {
                throw new InvalidDataException($"server sent an invalid frame header (would close with {closeCode}): {Convert.ToHexString(available[..Math.Min(14, available.Length)])}");
            }

            if (status == ParseStatus.Done && available.Length >= header.HeaderLength + header.PayloadLength)
            {
                var payload = available.Slice(header.HeaderLength, checked((int)header.PayloadLength)).ToArray();
                _start += header.HeaderLength + payload.Length;
                var frame = new ServerFrame(header.Fin, header.Opcode, payload, header.Rsv1);
                _received.Add(frame.ToString());
                return frame;
            }

            var needed = status == ParseStatus.Done ? checked((int)(header.HeaderLength + header.PayloadLength)) : available.Length + 1;
            if (!await FillAsync(needed))
            {
                if (_end == _start)
                {
                    return null;
                }

                throw new InvalidDataException($"connection ended in the middle of a frame ({_end - _start} bytes buffered)");
            }
        }
    }

    /// <summary>Reads one whole data message (its frames up to FIN) and asserts it equals the expected echo.</summary>
    public async Task ExpectMessageAsync(WebSocketOpcode opcode, ReadOnlyMemory<byte> expected)
    {
        var first = await ReceiveFrameAsync();
        Assert.True(first is not null, $"expected a {opcode} echo of {expected.Length} bytes, but the connection ended");
        Assert.True(first.Opcode == opcode, $"expected a {opcode} echo of {expected.Length} bytes, got {first}");
        using var message = new MemoryStream();
        message.Write(first.Payload);
        var last = first;
        while (!last.Fin)
        {
            var next = await ReceiveFrameAsync();
            Assert.True(next is not null, "connection ended inside a fragmented echo");
            Assert.True(next.Opcode == WebSocketOpcode.Continuation, $"expected a continuation of the echo, got {next}");
            message.Write(next.Payload);
            last = next;
        }

        var actual = first.Rsv1 ? Compression.ReferenceDeflate.Decompress(message.ToArray()) : message.ToArray();
        Assert.True(actual.Length == expected.Length, $"echo length: expected {expected.Length}, got {actual.Length}");
        Assert.True(actual.AsSpan().SequenceEqual(expected.Span), $"echo of {expected.Length} bytes differs at byte {actual.AsSpan().CommonPrefixLength(expected.Span)}");
    }

    public Task ExpectTextAsync(string text) => ExpectMessageAsync(WebSocketOpcode.Text, Encoding.UTF8.GetBytes(text));

    public async Task ExpectPongAsync(ReadOnlyMemory<byte> payload)
    {
        var frame = await ReceiveFrameAsync();
        Assert.True(frame is not null, "expected a pong, but the connection ended");
        Assert.True(frame.Opcode == WebSocketOpcode.Pong && frame.Fin, $"expected a pong, got {frame}");
        Assert.True(frame.Payload.AsSpan().SequenceEqual(payload.Span), $"pong payload differs: expected {Convert.ToHexString(payload.Span)}, got {Convert.ToHexString(frame.Payload)}");
    }

    /// <summary>
    /// Expects the next frame to be a close frame carrying <paramref name="expectedCode"/> (null: no status code;
    /// 0: any), answers it as a client should, and then expects the server to end the TCP connection with
    /// nothing more sent.
    /// </summary>
    /// <param name="reply">
    /// false when the client cannot send a well-formed close (it is stuck inside a frame it never
    /// finished): it then ends its sending side instead, so the server sees EOF rather than waiting
    /// out its close timeout.
    /// </param>
    public async Task<ServerFrame> ExpectCloseAsync(ushort? expectedCode, bool reply = true)
    {
        var frame = await ReceiveFrameAsync();
        Assert.True(frame is not null, $"expected a close frame with {Describe(expectedCode)}, but the TCP connection ended without one");
        Assert.True(frame.Opcode == WebSocketOpcode.Close, $"expected a close frame with {Describe(expectedCode)}, got {frame}");
        Assert.True(frame.Fin, "close frame without FIN");
        if (expectedCode != 0)
        {
            Assert.True(frame.CloseCode == expectedCode, $"expected close {Describe(expectedCode)}, got {frame}");
        }

        if (reply)
        {
            await SendIgnoringClosedAsync(ClientFrames.Build(WebSocketOpcode.Close, ClientFrames.ClosePayload(frame.CloseCode)));
        }
        else
        {
            ShutdownSend();
        }

        await ExpectEndAsync();
        return frame;
    }

    /// <summary>
    /// Expects the server to end the connection without sending another frame. Once both closes have
    /// crossed, a server ends TCP at once (RFC 6455 §7.1.1), so this waits a short time, not the case's deadline.
    /// </summary>
    public async Task ExpectEndAsync()
    {
        _timeout = s_endTimeout;
        _deadline.CancelAfter(s_endTimeout);
        var after = await ReceiveFrameAsync();
        Assert.True(after is null, $"expected the server to end the connection, got {after}");
    }

    /// <summary>Half-closes the connection: the server reads EOF, the client can still read.</summary>
    public void ShutdownSend()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        Dispose();
        await Task.CompletedTask;
    }

    public void Dispose()
    {
        _socket.Dispose();
        _deadline.Dispose();
    }

    private void RestartDeadline(TimeSpan timeout)
    {
        _timeout = timeout;
        if (!_deadline.TryReset())
        {
            _deadline.Dispose();
            _deadline = new CancellationTokenSource();
        }

        _deadline.CancelAfter(timeout);
    }

    private static string Describe(ushort? code) => code switch
    {
        null => "no status code",
        0 => "any status code",
        _ => "code " + code.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private async Task<bool> FillAsync(int needed)
    {
        while (_end - _start < needed)
        {
            if (_buffer.Length - _start < needed)
            {
                var grown = needed > _buffer.Length ? new byte[Math.Max(needed, _buffer.Length * 2)] : _buffer;
                Buffer.BlockCopy(_buffer, _start, grown, 0, _end - _start);
                _end -= _start;
                _start = 0;
                _buffer = grown;
            }

            int read;
            try
            {
                read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, Token);
            }
            catch (OperationCanceledException) when (Token.IsCancellationRequested)
            {
                throw Timeout("reading");
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                EndedByReset = true;
                return false;
            }

            if (read == 0)
            {
                return false;
            }

            _end += read;
        }

        return true;
    }

    private TimeoutException Timeout(string what)
        => new($"within {_timeout.TotalSeconds:0.#} s the server neither sent more nor ended the connection ({what}; frames received so far: [{string.Join(", ", _received)}]; {_end - _start} more bytes buffered)");
}
