using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using PipeChat.Protocol.Framing;

namespace PipeChat.LoadTest.Client;

/// <summary>
/// One client WebSocket over a raw socket (ws) or SslStream (wss), framed with PipeChat.Protocol's
/// client side: masked frames out, <see cref="WebSocketReader"/>(isServer: false) in. One receive
/// loop; sends are serialized by a semaphore and write every frame of a batch in one call. After
/// the handshake nothing on the message path allocates.
/// </summary>
internal sealed partial class LoadConnection
{
    private const int IpBindAddressNoPort = 24; // Linux IP_BIND_ADDRESS_NO_PORT: pick the port at connect, not at bind
    private static readonly byte[] s_loadMarker = "\"lt\":["u8.ToArray();

    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ArrayBufferWriter<byte> _message = new(512);
    private readonly ArrayBufferWriter<byte> _send = new(512);
    private readonly byte[] _recv; // a slice of a slab: [_recvBase, _recvLimit)
    private readonly int _recvBase;
    private readonly int _recvLimit;
    private readonly int _scratchBytes;
    private byte[]? _scratch; // payload building, senders only
    private WebSocketReader _reader = new(isServer: false, maxMessageBytes: 16 * 1024 * 1024);
    private int _start;
    private int _end;
    private uint _maskState;
    private volatile bool _closing;
    private Task? _receiveLoop;
    private readonly bool _poll;

    private LoadConnection(Socket socket, Stream stream, int index, string userId, int receiveBufferBytes, int scratchBytes, bool poll)
    {
        _socket = socket;
        _stream = stream;
        _poll = poll;
        Index = index;
        UserId = userId;
        (_recv, _recvBase) = ReceiveSlabs.Rent(receiveBufferBytes);
        _recvLimit = _recvBase + receiveBufferBytes;
        _start = _end = _recvBase;
        _scratchBytes = scratchBytes;
        _maskState = (uint)(index * 2654435761u) | 1;
    }

    public int Index { get; }

    public string UserId { get; }

    public bool IsClosing => _closing;

    // Scenario state, owned by the handler.
    public int Room { get; set; } = -1;
    public int SenderIndex { get; set; } = -1;
    public int Partner { get; set; } = -1;
    public byte[]? MessagePrefix { get; set; }
    public SenderSequence[] Seen { get; set; } = [];
    public long SendSequence;
    public int InFlight;
    public long LastRoomSeq;
    public TaskCompletionSource? Joined { get; set; }

    public static ReadOnlySpan<byte> LoadMarker => s_loadMarker;

    /// <summary>
    /// TCP connect (from <paramref name="source"/> when given), optional TLS, and the HTTP upgrade.
    /// With <paramref name="pollTimeout"/> the connection is for <see cref="PollReceiver"/>: connect and
    /// upgrade run as blocking calls bounded by that timeout on a pool thread, so the runtime never
    /// registers the socket with its own epoll set, and every later write is a blocking send.
    /// </summary>
    public static async Task<LoadConnection> ConnectAsync(
        IPEndPoint server, IPAddress? source, Uri url, string userId, int index, int receiveBufferBytes, int scratchBytes, CancellationToken cancellationToken, bool deflate = false,
        TimeSpan? pollTimeout = null)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            if (source is not null)
            {
                socket.SetRawSocketOption(0, IpBindAddressNoPort, [1, 0, 0, 0]);
                socket.Bind(new IPEndPoint(source, 0));
            }

            if (pollTimeout is { } timeout)
            {
                if (url.Scheme == "wss")
                {
                    throw new NotSupportedException("--receive poll is for ws:// only");
                }

                // Linux bounds a blocking connect by SO_SNDTIMEO, and the upgrade's read by SO_RCVTIMEO.
                socket.SendTimeout = socket.ReceiveTimeout = (int)timeout.TotalMilliseconds;
                return await Task.Run(
                    () =>
                    {
                        socket.Connect(server);
                        stream = new NetworkStream(socket, ownsSocket: true);
                        var polled = new LoadConnection(socket, stream, index, userId, receiveBufferBytes, scratchBytes, poll: true);
                        polled.Handshake(url, deflate);
                        return polled;
                    },
                    cancellationToken);
            }

            await socket.ConnectAsync(server, cancellationToken);
            stream = new NetworkStream(socket, ownsSocket: true);
            if (url.Scheme == "wss")
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await ssl.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions
                    {
                        TargetHost = url.Host,
                        // Loopback only, against our own test certificates.
                        RemoteCertificateValidationCallback = static (_, _, _, _) => true,
                    },
                    cancellationToken);
            }

            var connection = new LoadConnection(socket, stream, index, userId, receiveBufferBytes, scratchBytes, poll: false);
            await connection.HandshakeAsync(url, deflate, cancellationToken);
            return connection;
        }
        catch
        {
            if (stream is not null)
            {
                await stream.DisposeAsync();
            }
            else
            {
                socket.Dispose();
            }

            throw;
        }
    }

    /// <summary>Starts the receive loop (or hands the socket to <see cref="PollReceiver"/>).</summary>
    public void Start(IConnectionHandler handler) => _receiveLoop = _poll ? StartPolling(handler) : ReceiveLoopAsync(handler);

    /// <summary>Writes on the runtime's async path, or, for a polled socket, with one blocking send.</summary>
    private ValueTask WriteAsync(ReadOnlyMemory<byte> bytes)
    {
        if (!_poll)
        {
            return _stream.WriteAsync(bytes);
        }

        _stream.Write(bytes.Span);
        return ValueTask.CompletedTask;
    }

    /// <summary>Sends one text message built elsewhere (setup messages: join, leave).</summary>
    public async ValueTask SendTextAsync(ReadOnlyMemory<byte> payload)
    {
        await _sendLock.WaitAsync();
        try
        {
            _send.ResetWrittenCount();
            FrameWriter.WriteMaskedFrame(_send, WebSocketOpcode.Text, payload.Span, NextMask());
            await WriteAsync(_send.WrittenMemory);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>
    /// Sends <paramref name="count"/> load messages in one write: each is <see cref="MessagePrefix"/>,
    /// then <c>sender,sequence,timestamp</c>, then <paramref name="suffix"/>.
    /// </summary>
    public async ValueTask SendLoadAsync(int count, int senderIndex, ReadOnlyMemory<byte> suffix, Metrics.RunCounters counters, long expectedPerMessage)
    {
        await _sendLock.WaitAsync();
        try
        {
            if (_closing)
            {
                return;
            }

            _send.ResetWrittenCount();
            var now = Stopwatch.GetTimestamp();
            for (var i = 0; i < count; i++)
            {
                var length = BuildLoadPayload(senderIndex, now, suffix.Span);
                FrameWriter.WriteMaskedFrame(_send, WebSocketOpcode.Text, _scratch!.AsSpan(0, length), NextMask());
            }

            Interlocked.Add(ref counters.Expected, expectedPerMessage * count);
            Interlocked.Add(ref counters.Sent, count);
            await WriteAsync(_send.WrittenMemory);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Sends a close frame (1000) and waits, bounded, for the server's close and the end of the receive loop.</summary>
    public async Task CloseAsync(TimeSpan timeout)
    {
        if (_closing)
        {
            return;
        }

        _closing = true;
        try
        {
            await _sendLock.WaitAsync();
            try
            {
                _send.ResetWrittenCount();
                FrameWriter.WriteClose(_send, WebSocketCloseCodes.NormalClosure, default, masked: true, NextMask());
                await WriteAsync(_send.WrittenMemory);
            }
            finally
            {
                _sendLock.Release();
            }

            if (_receiveLoop is not null)
            {
                await _receiveLoop.WaitAsync(timeout);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or TimeoutException or ObjectDisposedException)
        {
        }
        finally
        {
            Abort();
        }
    }

    /// <summary>Drops TCP at once.</summary>
    public void Abort()
    {
        _closing = true;
        if (_poll && PollSlot >= 0)
        {
            // The receiver closes the socket once it has let go of it (never under its feet, nor on its own thread).
            PollReceiver.Shared.Remove(this);
            return;
        }

        try
        {
            _socket.Dispose();
            _stream.Dispose();
        }
        catch (IOException)
        {
        }
    }

    private int BuildLoadPayload(int senderIndex, long timestamp, ReadOnlySpan<byte> suffix)
    {
        var span = (_scratch ??= new byte[_scratchBytes]).AsSpan();
        var prefix = MessagePrefix!;
        prefix.CopyTo(span);
        var at = prefix.Length;
        Utf8Formatter.TryFormat(senderIndex, span[at..], out var written);
        at += written;
        span[at++] = (byte)',';
        Utf8Formatter.TryFormat(++SendSequence, span[at..], out written);
        at += written;
        span[at++] = (byte)',';
        Utf8Formatter.TryFormat(timestamp, span[at..], out written);
        at += written;
        suffix.CopyTo(span[at..]);
        return at + suffix.Length;
    }

    private uint NextMask()
    {
        // xorshift32: masks only need to be unpredictable to intermediaries, not cryptographic here.
        var x = _maskState;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        _maskState = x;
        return x;
    }
}
