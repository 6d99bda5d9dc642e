using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using PipeChat.Protocol.Framing;

namespace PipeChat.LoadTest.Client;

internal sealed partial class LoadConnection
{
    private static readonly byte[] s_headerEnd = "\r\n\r\n"u8.ToArray();
    private static RequestTemplate? s_template;

    private async Task HandshakeAsync(Uri url, bool deflate, CancellationToken cancellationToken)
    {
        var expectedAccept = default(AcceptValue);
        WriteUpgradeRequest(url, deflate, ref expectedAccept);
        await _stream.WriteAsync(_send.WrittenMemory, cancellationToken);
        do
        {
            CheckRoomForResponse();
            _end += await _stream.ReadAsync(_recv.AsMemory(_end, _recvLimit - _end), cancellationToken);
        }
        while (!TryFinishHandshake(expectedAccept, deflate));
    }

    /// <summary>The upgrade with blocking calls (polled sockets), bounded by the socket's send and receive timeouts.</summary>
    private void Handshake(Uri url, bool deflate)
    {
        var expectedAccept = default(AcceptValue);
        WriteUpgradeRequest(url, deflate, ref expectedAccept);
        _stream.Write(_send.WrittenSpan);
        do
        {
            CheckRoomForResponse();
            _end += _stream.Read(_recv.AsSpan(_end, _recvLimit - _end));
        }
        while (!TryFinishHandshake(expectedAccept, deflate));
    }

    private void CheckRoomForResponse()
    {
        if (_end == _recvLimit)
        {
            throw new HandshakeException("handshake:response_too_large");
        }
    }

    /// <summary>After a read of <c>_end</c> bytes: false while the response head is incomplete; throws when it is wrong.</summary>
    private bool TryFinishHandshake(in AcceptValue expectedAccept, bool deflate)
    {
        if (_end == _start)
        {
            throw new HandshakeException("handshake:eof");
        }

        _start = _end;
        var headerEnd = _recv.AsSpan(_recvBase, _end - _recvBase).IndexOf(s_headerEnd);
        if (headerEnd < 0)
        {
            return false;
        }

        _start = _recvBase + headerEnd + 4;
        if (CheckUpgradeResponse(_recv.AsSpan(_recvBase, headerEnd), expectedAccept, deflate) is { } error)
        {
            throw new HandshakeException(error);
        }

        if (deflate)
        {
            _reader.Inflater = new ClientInflater();
        }

        return true;
    }

    /// <summary>Writes the upgrade request into the send buffer (no strings: the constant parts are built once per URL) and the Sec-WebSocket-Accept value it calls for.</summary>
    private void WriteUpgradeRequest(Uri url, bool deflate, ref AcceptValue expectedAccept)
    {
        var template = s_template;
        if (template is null || !ReferenceEquals(template.Url, url) || template.Deflate != deflate)
        {
            s_template = template = new RequestTemplate(url, deflate);
        }

        Span<byte> nonce = stackalloc byte[16];
        RandomNumberGenerator.Fill(nonce);
        Span<byte> keyAndGuid = stackalloc byte[KeyLength + 36];
        Base64.EncodeToUtf8(nonce, keyAndGuid, out _, out _);
        "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"u8.CopyTo(keyAndGuid[KeyLength..]);
        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(keyAndGuid, hash);
        Base64.EncodeToUtf8(hash, expectedAccept, out _, out _);

        _send.ResetWrittenCount();
        _send.Write(template.BeforePath);
        if (IsUnreserved(UserId))
        {
            var path = _send.GetSpan(UserId.Length);
            for (var i = 0; i < UserId.Length; i++)
            {
                path[i] = (byte)UserId[i];
            }

            _send.Advance(UserId.Length);
        }
        else
        {
            _send.Write(Encoding.ASCII.GetBytes(Uri.EscapeDataString(UserId)));
        }

        _send.Write(template.BeforeKey);
        _send.Write(keyAndGuid[..KeyLength]);
        _send.Write(template.AfterKey);
    }

    private const int KeyLength = 24;

    /// <summary>True when the id needs no percent-encoding (RFC 3986 unreserved characters only, as generated ids are).</summary>
    private static bool IsUnreserved(string id)
    {
        foreach (var c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.' or '~'))
            {
                return false;
            }
        }

        return true;
    }

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> value) => value.Trim(" \t"u8);

    /// <summary>
    /// Validates the server's answer as RFC 6455 §4.1 asks a client to: status 101, <c>Upgrade: websocket</c>,
    /// <c>Connection</c> with the <c>upgrade</c> token, the exact <c>Sec-WebSocket-Accept</c> for our key and, when
    /// offered, permessage-deflate accepted. Returns the error kind, or null.
    /// </summary>
    internal static string? CheckUpgradeResponse(ReadOnlySpan<byte> head, ReadOnlySpan<byte> expectedAccept, bool deflate)
    {
        var lineEnd = head.IndexOf("\r\n"u8);
        var statusLine = lineEnd < 0 ? head : head[..lineEnd];
        var space = statusLine.IndexOf((byte)' ');
        if (space < 0 || statusLine.Length < space + 4 || !statusLine.StartsWith("HTTP/1.1 "u8))
        {
            return "handshake:http_???";
        }

        var status = statusLine.Slice(space + 1, 3);
        if (!status.SequenceEqual("101"u8))
        {
            return "handshake:http_" + Encoding.ASCII.GetString(status);
        }

        bool upgrade = false, connection = false, accept = false, extension = false;
        var rest = lineEnd < 0 ? default : head[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf("\r\n"u8);
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? default : rest[(end + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                return "handshake:bad_header";
            }

            var name = line[..colon];
            var value = Trim(line[(colon + 1)..]);
            if (Ascii.EqualsIgnoreCase(name, "Upgrade"u8))
            {
                upgrade = Ascii.EqualsIgnoreCase(value, "websocket"u8);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                foreach (var range in value.Split((byte)','))
                {
                    connection |= Ascii.EqualsIgnoreCase(Trim(value[range]), "Upgrade"u8);
                }
            }
            else if (Ascii.EqualsIgnoreCase(name, "Sec-WebSocket-Accept"u8))
            {
                accept = value.SequenceEqual(expectedAccept);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Sec-WebSocket-Extensions"u8))
            {
                extension = value.Length >= 18 && Ascii.EqualsIgnoreCase(value[..18], "permessage-deflate"u8);
            }
        }

        if (!accept)
        {
            return "handshake:bad_accept";
        }

        if (!upgrade || !connection)
        {
            return "handshake:bad_upgrade";
        }

        return deflate && !extension ? "handshake:deflate_declined" : null;
    }

    /// <summary>The 28 bytes of a Sec-WebSocket-Accept value.</summary>
    [System.Runtime.CompilerServices.InlineArray(28)]
    internal struct AcceptValue
    {
        private byte _first;
    }

    /// <summary>The constant parts of the upgrade request for one URL.</summary>
    private sealed class RequestTemplate(Uri url, bool deflate)
    {
        public Uri Url { get; } = url;

        public bool Deflate { get; } = deflate;

        public byte[] BeforePath { get; } = Encoding.ASCII.GetBytes($"GET {url.AbsolutePath.TrimEnd('/')}/");

        public byte[] BeforeKey { get; } = Encoding.ASCII.GetBytes(
            $" HTTP/1.1\r\nHost: {url.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ");

        public byte[] AfterKey { get; } = Encoding.ASCII.GetBytes(
            "\r\nSec-WebSocket-Version: 13\r\n" + (deflate ? "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" : "") + "\r\n");
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

                MakeRoomToReceive();
                var read = await _stream.ReadAsync(_recv.AsMemory(_end, _recvLimit - _end));
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

    /// <summary>Before a read: rewinds an empty buffer, or moves a partial frame to the front of a full one.</summary>
    private void MakeRoomToReceive()
    {
        if (_start == _end)
        {
            _start = _end = _recvBase;
        }
        else if (_end == _recvLimit)
        {
            Buffer.BlockCopy(_recv, _start, _recv, _recvBase, _end - _start);
            _end -= _start - _recvBase;
            _start = _recvBase;
        }
    }

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
            await WriteAsync(_send.WrittenMemory);
        }
        finally
        {
            _sendLock.Release();
        }
    }
}

/// <summary>A failed upgrade; <see cref="Exception.Message"/> is the error kind.</summary>
internal sealed class HandshakeException(string kind) : Exception(kind);
