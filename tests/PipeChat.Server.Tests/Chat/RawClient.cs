using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace PipeChat.Server.Tests.Chat;

/// <summary>
/// A WebSocket client over a bare TcpClient: writes the upgrade request and masked text frames
/// itself and reads only when told to, so a test can make it stop reading (a slow consumer) or
/// see the exact HTTP status of a refused handshake.
/// </summary>
internal sealed class RawClient : IDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    /// <summary>Opens TCP with a small receive buffer so the server's send side fills quickly.</summary>
    public static async Task<RawClient> OpenAsync(int port, int receiveBufferSize = 4096)
    {
        var tcp = new TcpClient { ReceiveBufferSize = receiveBufferSize, NoDelay = true };
        using var timeout = new CancellationTokenSource(ChatClient.DefaultTimeout);
        await tcp.ConnectAsync("127.0.0.1", port, timeout.Token);
        return new RawClient(tcp);
    }

    /// <summary>Sends an upgrade request for the path and returns the response head (status line and headers).</summary>
    public async Task<string> UpgradeAsync(string pathAndQuery, string extraHeaders = "")
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = $"GET {pathAndQuery} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{extraHeaders}\r\n";
        await WriteAsync(Encoding.ASCII.GetBytes(request));
        return await ReadHeadAsync();
    }

    /// <summary>Sends a plain HTTP GET (no upgrade) and returns the response head.</summary>
    public async Task<string> GetAsync(string path)
    {
        await WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
        return await ReadHeadAsync();
    }

    /// <summary>Status code from a response head ("HTTP/1.1 400 Bad Request" → 400).</summary>
    public static int StatusOf(string head) => int.Parse(head.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Sends one masked text frame.</summary>
    public Task SendTextAsync(string json)
    {
        var payload = Encoding.UTF8.GetBytes(json);
        var header = payload.Length < 126 ? 2 : 4;
        var frame = new byte[header + 4 + payload.Length];
        frame[0] = 0x81;
        if (payload.Length < 126)
        {
            frame[1] = (byte)(0x80 | payload.Length);
        }
        else
        {
            frame[1] = 0x80 | 126;
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)payload.Length);
        }

        var mask = RandomNumberGenerator.GetBytes(4);
        mask.CopyTo(frame, header);
        for (var i = 0; i < payload.Length; i++)
        {
            frame[header + 4 + i] = (byte)(payload[i] ^ mask[i % 4]);
        }

        return WriteAsync(frame);
    }

    /// <summary>
    /// Reads server frames until a close frame or the end of the stream. Returns the number of
    /// text frames seen and the close code (null when the stream ended or was reset without one).
    /// </summary>
    public async Task<(int TextFrames, int? CloseCode)> ReadToEndAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var textFrames = 0;
        try
        {
            while (true)
            {
                var head = new byte[2];
                if (!await FillAsync(head, cts.Token))
                {
                    return (textFrames, null);
                }

                var opcode = head[0] & 0x0F;
                long length = head[1] & 0x7F;
                if (length == 126)
                {
                    var ext = new byte[2];
                    if (!await FillAsync(ext, cts.Token))
                    {
                        return (textFrames, null);
                    }

                    length = BinaryPrimitives.ReadUInt16BigEndian(ext);
                }
                else if (length == 127)
                {
                    var ext = new byte[8];
                    if (!await FillAsync(ext, cts.Token))
                    {
                        return (textFrames, null);
                    }

                    length = (long)BinaryPrimitives.ReadUInt64BigEndian(ext);
                }

                var payload = new byte[length];
                if (!await FillAsync(payload, cts.Token))
                {
                    return (textFrames, null);
                }

                if (opcode == 0x1)
                {
                    textFrames++;
                }
                else if (opcode == 0x8)
                {
                    return (textFrames, payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(payload) : null);
                }
            }
        }
        catch (IOException)
        {
            // Reset by the server (it aborted the connection): the socket has ended.
            return (textFrames, null);
        }
    }

    public void Dispose()
    {
        _stream.Dispose();
        _tcp.Dispose();
    }

    private async Task WriteAsync(byte[] bytes)
    {
        using var timeout = new CancellationTokenSource(ChatClient.DefaultTimeout);
        await _stream.WriteAsync(bytes, timeout.Token);
    }

    /// <summary>Reads the HTTP response head byte by byte (so no frame bytes are consumed).</summary>
    private async Task<string> ReadHeadAsync()
    {
        using var timeout = new CancellationTokenSource(ChatClient.DefaultTimeout);
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await _stream.ReadAsync(one, timeout.Token) == 0)
            {
                break;
            }

            head.Append((char)one[0]);
        }

        return head.ToString();
    }

    private async Task<bool> FillAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await _stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0)
            {
                return false;
            }

            filled += read;
        }

        return true;
    }
}
