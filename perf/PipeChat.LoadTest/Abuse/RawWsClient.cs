using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace PipeChat.LoadTest.Abuse;

/// <summary>
/// A deliberately minimal ws:// client for misbehaving on purpose: writes arbitrary (even invalid)
/// frames, and reads server frames only to find a close code, an error code, or the end of the
/// socket. Payloads it does not need are skipped by count, so draining a backlog holds one buffer.
/// </summary>
internal sealed class RawWsClient : IDisposable
{
    private const int SmallFrameLimit = 8 * 1024;
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;
    private long _skip;

    private RawWsClient(Socket socket) => _socket = socket;

    /// <summary>Connects, upgrades, and returns a client whose receive buffer is <paramref name="receiveBufferBytes"/>.</summary>
    public static async Task<RawWsClient> ConnectAsync(IPEndPoint server, Uri url, string userId, int receiveBufferBytes, CancellationToken cancellationToken)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (receiveBufferBytes > 0)
        {
            socket.ReceiveBufferSize = receiveBufferBytes; // before connect, so the advertised window stays small
        }

        var client = new RawWsClient(socket);
        try
        {
            await socket.ConnectAsync(server, cancellationToken);
            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            var request = $"GET {url.AbsolutePath.TrimEnd('/')}/{Uri.EscapeDataString(userId)} HTTP/1.1\r\nHost: {url.Authority}\r\n" +
                          $"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
            await socket.SendAsync(Encoding.ASCII.GetBytes(request), cancellationToken);
            while (true)
            {
                var read = await socket.ReceiveAsync(client._buffer.AsMemory(client._end), cancellationToken);
                if (read == 0)
                {
                    throw new IOException("handshake: eof");
                }

                client._end += read;
                var headerEnd = client._buffer.AsSpan(0, client._end).IndexOf("\r\n\r\n"u8);
                if (headerEnd >= 0)
                {
                    if (!client._buffer.AsSpan(0, headerEnd).StartsWith("HTTP/1.1 101"u8))
                    {
                        throw new IOException("handshake: not 101");
                    }

                    client._start = headerEnd + 4;
                    return client;
                }

                if (client._end == client._buffer.Length)
                {
                    throw new IOException("handshake: response too large");
                }
            }
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Writes one frame: <paramref name="firstByte"/> is FIN/RSV/opcode as sent; masked unless told otherwise.</summary>
    public async Task SendFrameAsync(byte firstByte, ReadOnlyMemory<byte> payload, bool masked = true, long? declaredLength = null)
    {
        var length = declaredLength ?? payload.Length;
        var header = new byte[14];
        var n = 2;
        header[0] = firstByte;
        var maskBit = masked ? (byte)0x80 : (byte)0;
        if (length < 126)
        {
            header[1] = (byte)(maskBit | length);
        }
        else if (length <= ushort.MaxValue)
        {
            header[1] = (byte)(maskBit | 126);
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)length);
            n = 4;
        }
        else
        {
            header[1] = (byte)(maskBit | 127);
            BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(2), length);
            n = 10;
        }

        var body = payload.ToArray();
        if (masked)
        {
            RandomNumberGenerator.Fill(header.AsSpan(n, 4));
            for (var i = 0; i < body.Length; i++)
            {
                body[i] ^= header[n + (i & 3)];
            }

            n += 4;
        }

        await _socket.SendAsync(header.AsMemory(0, n));
        if (body.Length > 0)
        {
            await _socket.SendAsync(body);
        }
    }

    /// <summary>Sends raw bytes (e.g. the rest of a frame whose header went out earlier, already masked or not).</summary>
    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes) => await _socket.SendAsync(bytes);

    /// <summary>
    /// Reads frames until a close frame ("close:CODE"), a text frame containing <paramref name="textMarker"/>
    /// ("text"), the end of the socket ("eof"), a reset ("reset") or <paramref name="timeout"/> ("timeout").
    /// </summary>
    public async Task<string> ReadUntilAsync(TimeSpan timeout, ReadOnlyMemory<byte> textMarker = default)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                if (TryParse(textMarker.Span, out var outcome))
                {
                    return outcome;
                }

                if (_start > 0)
                {
                    _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                    _end -= _start;
                    _start = 0;
                }

                var read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), cts.Token);
                if (read == 0)
                {
                    return "eof";
                }

                _end += read;
            }
        }
        catch (OperationCanceledException)
        {
            return "timeout";
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
        {
            return "reset";
        }
        catch (ObjectDisposedException)
        {
            return "reset";
        }
    }

    /// <summary>Parses buffered frames; true when one settled the outcome.</summary>
    private bool TryParse(ReadOnlySpan<byte> textMarker, out string outcome)
    {
        outcome = "";
        while (true)
        {
            if (_skip > 0)
            {
                var take = (int)Math.Min(_skip, _end - _start);
                _start += take;
                _skip -= take;
                if (_skip > 0)
                {
                    return false;
                }
            }

            var available = _buffer.AsSpan(_start, _end - _start);
            if (available.Length < 2)
            {
                return false;
            }

            var opcode = available[0] & 0x0F;
            long length = available[1] & 0x7F;
            var headerLength = 2;
            if (length == 126)
            {
                if (available.Length < 4)
                {
                    return false;
                }

                length = BinaryPrimitives.ReadUInt16BigEndian(available[2..]);
                headerLength = 4;
            }
            else if (length == 127)
            {
                if (available.Length < 10)
                {
                    return false;
                }

                length = BinaryPrimitives.ReadInt64BigEndian(available[2..]);
                headerLength = 10;
            }

            var inspect = opcode == 0x8 || (opcode == 0x1 && !textMarker.IsEmpty && length <= SmallFrameLimit);
            if (!inspect)
            {
                _start += headerLength;
                _skip = length;
                continue;
            }

            if (available.Length < headerLength + length)
            {
                return false;
            }

            var payload = available.Slice(headerLength, (int)length);
            _start += headerLength + (int)length;
            if (opcode == 0x8)
            {
                outcome = payload.Length >= 2 ? "close:" + BinaryPrimitives.ReadUInt16BigEndian(payload).ToString(System.Globalization.CultureInfo.InvariantCulture) : "close:none";
                return true;
            }

            if (payload.IndexOf(textMarker) >= 0)
            {
                outcome = "text";
                return true;
            }
        }
    }

    public void Dispose() => _socket.Dispose();
}
