using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using PipeChat.Protocol.Framing;

namespace PipeChat.LoadTest.Client;

internal sealed partial class LoadConnection
{
    private static readonly byte[] s_headerEnd = "\r\n\r\n"u8.ToArray();

    private async Task HandshakeAsync(Uri url, bool deflate, CancellationToken cancellationToken)
    {
        Span<byte> keyBytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(keyBytes);
        var key = Convert.ToBase64String(keyBytes);
        var path = Uri.EscapeDataString(UserId);
        var basePath = url.AbsolutePath.TrimEnd('/');
        var request = $"GET {basePath}/{path} HTTP/1.1\r\nHost: {url.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                      $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n" +
                      (deflate ? "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" : "") + "\r\n";
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(request), cancellationToken);

        while (true)
        {
            if (_end == _recv.Length)
            {
                throw new HandshakeException("handshake:response_too_large");
            }

            var read = await _stream.ReadAsync(_recv.AsMemory(_end), cancellationToken);
            if (read == 0)
            {
                throw new HandshakeException("handshake:eof");
            }

            _end += read;
            var headerEnd = _recv.AsSpan(0, _end).IndexOf(s_headerEnd);
            if (headerEnd < 0)
            {
                continue;
            }

            var head = Encoding.ASCII.GetString(_recv, 0, headerEnd);
            _start = headerEnd + 4;
            var firstSpace = head.IndexOf(' ', StringComparison.Ordinal);
            var status = firstSpace > 0 && head.Length >= firstSpace + 4 ? head.Substring(firstSpace + 1, 3) : "???";
            if (status != "101")
            {
                throw new HandshakeException("handshake:http_" + status);
            }

            var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
            if (!head.Contains("Sec-WebSocket-Accept: " + accept, StringComparison.OrdinalIgnoreCase))
            {
                throw new HandshakeException("handshake:bad_accept");
            }

            if (deflate)
            {
                if (!head.Contains("Sec-WebSocket-Extensions: permessage-deflate", StringComparison.OrdinalIgnoreCase))
                {
                    throw new HandshakeException("handshake:deflate_declined");
                }

                _reader.Inflater = new ClientInflater();
            }

            return;
        }
    }

    private async Task ReceiveLoopAsync(IConnectionHandler handler)
    {
        string? dropped = null;
        try
        {
            // Frames that arrived with the handshake response.
            var (pending, done) = Process(handler, out dropped);
            while (!done)
            {
                if (pending > 0)
                {
                    await handler.SendPendingAsync(this, pending);
                }

                if (_pendingControl is { } control)
                {
                    _pendingControl = null;
                    await SendControlAsync(control);
                }

                if (_start == _end)
                {
                    _start = _end = 0;
                }
                else if (_end == _recv.Length)
                {
                    Buffer.BlockCopy(_recv, _start, _recv, 0, _end - _start);
                    _end -= _start;
                    _start = 0;
                }

                var read = await _stream.ReadAsync(_recv.AsMemory(_end));
                if (read == 0)
                {
                    dropped = _closing ? null : "closed:eof";
                    break;
                }

                _end += read;
                (pending, done) = Process(handler, out dropped);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            dropped = _closing ? null : "closed:" + (e.InnerException is SocketException se ? se.SocketErrorCode.ToString() : e.GetType().Name);
        }

        if (dropped is not null && !_closing)
        {
            _closing = true;
            handler.OnDropped(this, dropped);
        }
    }

    private byte[]? _pendingControl;

    /// <summary>Parses every complete frame in the buffer. Returns the load messages to send in reply and whether the connection is done.</summary>
    private (int Pending, bool Done) Process(IConnectionHandler handler, out string? dropped)
    {
        dropped = null;
        var pending = 0;
        long receivedAt = 0;
        while (true)
        {
            var input = new ReadOnlySequence<byte>(_recv, _start, _end - _start);
            var result = _reader.Read(input, _message, out var consumed);
            _start += (int)input.Slice(0, consumed).Length;
            switch (result)
            {
                case WebSocketReadResult.NeedMoreData:
                    return (pending, false);
                case WebSocketReadResult.Message:
                    if (receivedAt == 0)
                    {
                        receivedAt = Stopwatch.GetTimestamp();
                    }

                    pending += handler.OnMessage(this, _message.WrittenSpan, receivedAt);
                    _message.ResetWrittenCount();
                    break;
                case WebSocketReadResult.Ping:
                    _pendingControl = _reader.ControlPayload.ToArray();
                    break;
                case WebSocketReadResult.Pong:
                    break;
                case WebSocketReadResult.Close:
                    if (!_closing)
                    {
                        dropped = "closed:" + _reader.CloseCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    }

                    return (0, true);
                default:
                    dropped = "protocol:" + _reader.ErrorReason;
                    return (0, true);
            }
        }
    }

    private async ValueTask SendControlAsync(byte[] pingPayload)
    {
        await _sendLock.WaitAsync();
        try
        {
            _send.ResetWrittenCount();
            FrameWriter.WriteMaskedFrame(_send, WebSocketOpcode.Pong, pingPayload, NextMask());
            await _stream.WriteAsync(_send.WrittenMemory);
        }
        finally
        {
            _sendLock.Release();
        }
    }
}

/// <summary>A failed upgrade; <see cref="Exception.Message"/> is the error kind.</summary>
internal sealed class HandshakeException(string kind) : Exception(kind);
