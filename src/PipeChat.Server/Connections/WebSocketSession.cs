using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using PipeChat.Protocol.Framing;
using PipeChat.Protocol.Handshake;
using PipeChat.Server.Buffers;
using PipeChat.Server.Compression;
using PipeChat.Server.Diagnostics;
using PipeChat.Server.Http;
using PipeChat.Server.Http.Api;

namespace PipeChat.Server.Connections;

/// <summary>
/// One client connection: the HTTP upgrade, then one read loop over the connection's
/// PipeReader and one writer that alone owns its PipeWriter. Producers (rooms, other
/// connections, the heartbeat) enqueue shared frames to a bounded outbound queue; the writer
/// drains everything queued, writes it and flushes once per batch, and runs only when there is
/// something to send, so an idle connection holds no task and no buffer.
/// </summary>
internal sealed partial class WebSocketSession : IWebSocketConnection, Rooms.IFeedReader, IThreadPoolWorkItem
{
    private static long s_nextConnectionId;
    private static readonly SharedFrame s_ping = SharedFrame.Create(WebSocketOpcode.Ping, default);

    private readonly ConnectionContext _connection;
    private readonly ServerContext _server;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;

    /// <summary>Set when the lean transport owns the socket: frames go out with gather sends, uncopied.</summary>
    private readonly Transport.LeanSocketConnection? _socket;
    private readonly MessageBuffer _sink = new();
    private readonly OutboundQueue _queue = new();
    private WebSocketReader _reader;
    private IWebSocketApplication? _application;

    private long _queuedBytes;
    private int _writerScheduled;
    private TaskCompletionSource? _writesFinished;
    private int _state;
    private long _stateSince;
    private long _lastReceive;
    private int _pingOutstanding;
    private long _pingSentAt;
    private bool _discardInput;
    private long _skipRemaining;

    /// <summary>Handshake state kept across an await; null on the common path and once open.</summary>
    private PendingHandshake? _pending;
    private volatile bool _outputBroken;

    /// <summary>The upgrade response is written to the output but not sent yet: the writer's first send carries it.</summary>
    private bool _upgradeUnsent;

    // permessage-deflate: the largest window the peer accepts from us, 0 when not negotiated.
    private int _deflateWindowBits;

    public WebSocketSession(ConnectionContext connection, ServerContext server)
    {
        _connection = connection;
        _server = server;
        _input = connection.Transport.Input;
        _output = connection.Transport.Output;
        _socket = connection is Transport.LeanSocketConnection { OwnsTransport: true } lean ? lean : null;
        ConnectionId = Interlocked.Increment(ref s_nextConnectionId);
        _stateSince = _lastReceive = Environment.TickCount64;
        _reader = new WebSocketReader(isServer: true, server.Options.MaxMessageBytes);
    }

    public long ConnectionId { get; }

    /// <summary>True when frames go straight to the socket (the lean transport without TLS).</summary>
    internal bool SendsDirect => _socket is not null;

    public string UserId { get; private set; } = "";

    /// <summary>The remote endpoint, for limits and logs.</summary>
    public System.Net.EndPoint? RemoteEndPoint => _connection.RemoteEndPoint;

    /// <summary>Per-connection state owned by the application (e.g. the rooms it joined).</summary>
    public object? ApplicationState { get; set; }

    /// <summary>Bytes queued and not yet handed to the transport.</summary>
    public long QueuedBytes => Volatile.Read(ref _queuedBytes);

    internal SessionState State => (SessionState)Volatile.Read(ref _state);

    /// <summary>Runs the connection to its end. Never throws.</summary>
    public async Task RunAsync()
    {
        var opened = false;
        var address = (_connection.RemoteEndPoint as System.Net.IPEndPoint)?.Address;
        if (address is { IsIPv4MappedToIPv6: true })
        {
            address = address.MapToIPv4();
        }

        _server.Metrics.ConnectionAccepted();
        if (address is not null && !_server.Sessions.TryAddAddress(address, _server.Options.MaxConnectionsPerIp))
        {
            // A flood from one address: drop at once, before reading anything.
            _server.Metrics.HandshakeRefused();
            Log.TooManyFromAddress(_server.Logger, _connection.ConnectionId, address.ToString());
            Abort("too many connections from this address");
            return;
        }

        _server.Sessions.Add(this);
        try
        {
            // Wait for the request here (see IdleWaitAsync): the handshake then usually finishes
            // without suspending, so a connect burst makes no handshake state machine and no
            // receive state machine per connection (≈ 400 bytes of garbage each).
            await IdleWaitAsync();

            if (!await HandshakeAsync())
            {
                return;
            }

            opened = true;
            _server.Metrics.ConnectionOpened();
            _application!.OnOpen(this);
            if (Volatile.Read(ref _upgradeUnsent))
            {
                // OnOpen queued nothing (or the writer has not run yet): the 101 must go out anyway.
                ScheduleWriter();
            }

            // The receive loop lives here rather than in its own async method: one state machine
            // per connection instead of two.
            while (true)
            {
                await IdleWaitAsync();
                var result = await _input.ReadAsync();
                var buffer = result.Buffer;
                var done = false;
                BeginReadBatch();
                try
                {
                    if (!buffer.IsEmpty)
                    {
                        Volatile.Write(ref _lastReceive, Environment.TickCount64);
                    }

                    done = ProcessFrames(ref buffer);
                }
                finally
                {
                    EndReadBatch();
                    _input.AdvanceTo(buffer.Start, buffer.End);
                }

                if (done || result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (IsConnectionError(ex))
        {
            // The peer went away or the connection was aborted (timeouts): nothing to report.
        }
        catch (Exception ex)
        {
            Log.ConnectionFailed(_server.Logger, ex, _connection.ConnectionId);
            RequestClose(WebSocketCloseCodes.InternalServerError, "internal error"u8);
        }
        finally
        {
            if (opened)
            {
                try
                {
                    _application!.OnClose(this);
                }
                catch (Exception ex)
                {
                    Log.ConnectionFailed(_server.Logger, ex, _connection.ConnectionId);
                }

                _server.Metrics.ConnectionClosed();
            }

            await FinishAsync();
            if (address is not null)
            {
                _server.Sessions.RemoveAddress(address);
            }
        }
    }

    /// <summary>Queues a frame; see <see cref="IRoomMember.TrySend"/>.</summary>
    public bool TrySend(SharedFrame frame)
    {
        if (Volatile.Read(ref _state) != (int)SessionState.Open)
        {
            return false;
        }

        if (_deflateWindowBits != 0)
        {
            frame = frame.ForDeflateRecipient(_server.Deflate!, _deflateWindowBits);
        }

        var length = QueueCost(frame);
        var queued = Interlocked.Add(ref _queuedBytes, length);
        if (queued > _server.Options.MaxQueuedBytes && queued != length)
        {
            Interlocked.Add(ref _queuedBytes, -length);
            CloseSlowConsumer(queued - length);
            return false;
        }

        frame.AddReference();
        _queue.Enqueue(frame);
        ScheduleWriter();
        return true;
    }

    void Rooms.IFeedReader.Subscribe(Rooms.RoomFeed feed) => _queue.Subscribe(feed);

    void Rooms.IFeedReader.Unsubscribe(Rooms.RoomFeed feed)
    {
        _queue.Unsubscribe(feed);

        // The writer sends what was published before the leave and then forgets the cursor.
        ScheduleWriter();
    }

    /// <summary>A room this connection is in has a new frame: checks the limit and wakes the writer.</summary>
    bool Rooms.IFeedReader.Notify(Rooms.RoomFeed feed, SharedFrame frame)
    {
        if (Volatile.Read(ref _state) != (int)SessionState.Open)
        {
            return false;
        }

        if (_deflateWindowBits != 0)
        {
            // Build the compressed twin here, once, on the publishing thread (as a queued frame
            // would), so writers running in parallel do not race to build it and send it plain.
            frame.ForDeflateRecipient(_server.Deflate!, _deflateWindowBits);
        }

        // The room's unread frames are shared by every member behind, but they still count
        // against this connection's limit, as frames in its own queue do.
        var behind = _queue.LagIn(feed);
        if (behind > _server.Options.MaxQueuedBytes)
        {
            CloseSlowConsumer(behind + Volatile.Read(ref _queuedBytes));
            return false;
        }

        ScheduleWriter();
        return true;
    }

    /// <summary>
    /// Starts the closing handshake from our side (once): queues a close frame and waits, within
    /// the close timeout, for the peer's close before dropping TCP. Safe from any thread.
    /// </summary>
    public void RequestClose(ushort code, ReadOnlySpan<byte> reason)
    {
        if (Interlocked.CompareExchange(ref _state, (int)SessionState.Closing, (int)SessionState.Open) != (int)SessionState.Open)
        {
            return;
        }

        Volatile.Write(ref _stateSince, Environment.TickCount64);
        EnqueueClose(code, reason);
    }

    /// <summary>Called by the registry's heartbeat about once a second.</summary>
    public void OnHeartbeat(long now)
    {
        var since = now - Volatile.Read(ref _stateSince);
        switch (State)
        {
            case SessionState.Handshaking when since > _server.HandshakeTimeoutMs:
                Log.TimedOut(_server.Logger, _connection.ConnectionId, "handshake");
                Abort("handshake timeout");
                break;
            case SessionState.Open:
                _queue.TrimIfEmpty();
                _queue.DropStaleStopped(now, StoppedFeedGraceMs);
                var idle = now - Volatile.Read(ref _lastReceive);

                // Dropped only after a ping has gone unanswered for a whole interval: a heartbeat
                // that ran late (a busy machine) must not drop a peer that was never pinged.
                if (idle > 2 * _server.PingIntervalMs && Volatile.Read(ref _pingOutstanding) == 1
                    && now - Volatile.Read(ref _pingSentAt) > _server.PingIntervalMs)
                {
                    Log.TimedOut(_server.Logger, _connection.ConnectionId, "no data or pong for two ping intervals");
                    Abort("ping timeout");
                }
                else if (idle > _server.PingIntervalMs && Interlocked.Exchange(ref _pingOutstanding, 1) == 0)
                {
                    Volatile.Write(ref _pingSentAt, now);
                    EnqueueControl(s_ping);
                }

                break;
            case SessionState.Closing when since > _server.CloseTimeoutMs:
                Log.TimedOut(_server.Logger, _connection.ConnectionId, "closing handshake");
                Abort("close timeout");
                break;
        }
    }

    /// <summary>Server shutdown: close 1001 if open, drop if still handshaking.</summary>
    public void CloseForShutdown()
    {
        if (State == SessionState.Handshaking)
        {
            Abort("server shutting down");
            return;
        }

        RequestClose(WebSocketCloseCodes.GoingAway, "server shutting down"u8);
    }

    private void Abort(string reason)
    {
        try
        {
            _connection.Abort(new ConnectionAbortedException(reason));
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async ValueTask<bool> HandshakeAsync()
    {
        while (true)
        {
            var result = await _input.ReadAsync();
            var buffer = result.Buffer;
            HandshakeOutcome outcome;
            SequencePosition consumed = buffer.Start, examined = buffer.End;
            try
            {
                outcome = ProcessHandshake(buffer, ref consumed);
            }
            finally
            {
                _input.AdvanceTo(consumed, examined);
            }

            if (outcome == HandshakeOutcome.NeedMoreData)
            {
                if (result.IsCompleted || result.IsCanceled)
                {
                    return false;
                }

                continue;
            }

            if (outcome == HandshakeOutcome.PendingAccept)
            {
                var pending = _pending!;
                var (userId, error) = await _application!.CompleteAcceptAsync(pending.Accept);
                if (userId is null)
                {
                    outcome = Refuse(error);
                }
                else
                {
                    UserId = userId;
                    WriteUpgrade(pending.Key, pending.Deflate);
                    outcome = HandshakeOutcome.Upgraded;
                }

                _pending = null;
            }

            if (outcome == HandshakeOutcome.PendingApi)
            {
                await _server.Api!.RunAsync(_pending!.HttpAnswer.Pending!, _output);
                outcome = HandshakeOutcome.Answered;
            }

            if (outcome == HandshakeOutcome.Upgraded)
            {
                // The 101 stays in the output: the writer sends it with the first frames (the
                // welcome), one send and one wake-up of the client instead of two.
                Volatile.Write(ref _upgradeUnsent, true);
            }
            else
            {
                await _output.FlushAsync();
                _server.Metrics.HandshakeRefused();
                if (_pending is { HttpAnswer.DrainBytes: > 0 and var drain })
                {
                    await DiscardRequestBodyAsync(drain);
                }

                return false;
            }

            Volatile.Write(ref _lastReceive, Environment.TickCount64);
            Volatile.Write(ref _stateSince, Environment.TickCount64);
            Volatile.Write(ref _state, (int)SessionState.Open);
            return true;
        }
    }

    private HandshakeOutcome ProcessHandshake(ReadOnlySequence<byte> buffer, ref SequencePosition consumed)
    {
        var limit = _server.Options.MaxRequestHeaderBytes;
        byte[]? scratch = buffer.IsSingleSegment ? null : ArrayPool<byte>.Shared.Rent(limit);
        try
        {
            var status = HandshakeParser.TryParse(buffer, limit, scratch, allowBody: true, out var request, out var end, out var error);
            if (status == ParseStatus.NeedMoreData)
            {
                return HandshakeOutcome.NeedMoreData;
            }

            consumed = status == ParseStatus.Done ? end : buffer.End;
            if (status == ParseStatus.Invalid)
            {
                return Refuse(error);
            }

            if (!request.IsWebSocketUpgrade)
            {
                var afterHead = buffer.Slice(end);
                var answer = HttpEndpoints.Respond(request, afterHead, _output, _server);
                if (answer.NeedMoreData)
                {
                    // The body is still coming: parse the head again once more bytes are in.
                    consumed = buffer.Start;
                    return HandshakeOutcome.NeedMoreData;
                }

                consumed = afterHead.GetPosition(answer.BodyBytes);
                if (answer.Pending is not null || answer.DrainBytes > 0)
                {
                    (_pending ??= new PendingHandshake()).HttpAnswer = answer;
                }

                return answer.Pending is null ? HandshakeOutcome.Answered : HandshakeOutcome.PendingApi;
            }

            if (!request.TryValidateUpgrade(out error))
            {
                return Refuse(error);
            }

            if (_server.ShuttingDown)
            {
                return Refuse(new HandshakeError(503, "server shutting down"));
            }

            var application = _server.EchoPath is { } echo && request.Path.SequenceEqual(echo)
                ? _server.Echo
                : _server.Chat;
            if (!application.TryAccept(request, _connection, out var decision, out error))
            {
                return Refuse(error);
            }

            _application = application;
            DeflateAgreement? deflate = _server.Deflate is { } codec && request.TryNegotiateDeflate(codec.Settings, out var agreement)
                ? agreement
                : null;
            if (decision.UserId is null)
            {
                // Credentials are checked asynchronously; keep the key (24 bytes) for the 101.
                _pending = new PendingHandshake { Accept = decision, Key = request.Key.ToArray(), Deflate = deflate };
                return HandshakeOutcome.PendingAccept;
            }

            UserId = decision.UserId;
            WriteUpgrade(request.Key, deflate);
            return HandshakeOutcome.Upgraded;
        }
        finally
        {
            if (scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }
    }

    /// <summary>Writes the 101 (echoing the accepted permessage-deflate parameters) and switches the extension on.</summary>
    private void WriteUpgrade(ReadOnlySpan<byte> key, DeflateAgreement? deflate)
    {
        if (deflate is not { } agreement)
        {
            HandshakeResponse.WriteSwitchingProtocols(_output, key, default);
            return;
        }

        Span<byte> extensions = stackalloc byte[DeflateAgreement.MaxResponseLength];
        var length = PerMessageDeflate.WriteResponse(agreement, extensions);
        HandshakeResponse.WriteSwitchingProtocols(_output, key, default, extensions[..length]);
        _reader.Inflater = _server.Deflate!.CreateSessionInflater();
        _deflateWindowBits = agreement.ServerMaxWindowBits;
        _server.Metrics.DeflateNegotiated();
    }

    /// <summary>After refusing a request whose body is still coming: read and drop it (bounded by the handshake timeout), so closing does not reset the connection before the answer is read.</summary>
    private async Task DiscardRequestBodyAsync(long remaining)
    {
        while (remaining > 0)
        {
            var result = await _input.ReadAsync();
            var take = Math.Min(remaining, result.Buffer.Length);
            _input.AdvanceTo(result.Buffer.GetPosition(take));
            remaining -= take;
            if (result.IsCompleted || result.IsCanceled)
            {
                return;
            }
        }
    }

    private HandshakeOutcome Refuse(in HandshakeError error)
    {
        Log.HandshakeRefused(_server.Logger, _connection.ConnectionId, error.StatusCode, error.Reason);
        HandshakeResponse.WriteError(_output, error);
        return HandshakeOutcome.Refused;
    }

    /// <summary>Handles every complete event in the buffer; true when the session is over.</summary>
    private bool ProcessFrames(ref ReadOnlySequence<byte> buffer)
    {
        while (true)
        {
            if (_discardInput)
            {
                return DiscardAfterError(ref buffer);
            }

            var result = _reader.Read(buffer, _sink, out var position);
            buffer = buffer.Slice(position);
            switch (result)
            {
                case WebSocketReadResult.NeedMoreData:
                    return false;

                case WebSocketReadResult.Message:
                    _server.Metrics.MessageIn(_sink.WrittenCount);
                    if (_reader.MessageWasCompressed)
                    {
                        _server.Metrics.CompressedMessageIn();
                    }

                    if (State == SessionState.Open)
                    {
                        _application!.OnMessage(this, _reader.MessageType, _sink.WrittenSpan);
                    }

                    _sink.Reset();
                    break;

                case WebSocketReadResult.Ping:
                    if (State == SessionState.Open)
                    {
                        var pong = SharedFrame.Create(WebSocketOpcode.Pong, _reader.ControlPayload);
                        EnqueueControl(pong);
                        pong.Release();
                    }

                    break;

                case WebSocketReadResult.Pong:
                    Volatile.Write(ref _pingOutstanding, 0);
                    break;

                case WebSocketReadResult.Close:
                    if (Interlocked.CompareExchange(ref _state, (int)SessionState.Closing, (int)SessionState.Open) == (int)SessionState.Open)
                    {
                        // The peer started the closing handshake: echo its code (RFC 6455 §5.5.1).
                        Volatile.Write(ref _stateSince, Environment.TickCount64);
                        if (_reader.CloseCode == WebSocketCloseCodes.NoStatusReceived)
                        {
                            EnqueueCloseFrame(SharedFrame.Create(WebSocketOpcode.Close, default));
                        }
                        else
                        {
                            EnqueueClose(_reader.CloseCode, default);
                        }
                    }

                    return true;

                case WebSocketReadResult.Error:
                    _server.Metrics.ProtocolError();
                    Log.ProtocolError(_server.Logger, _connection.ConnectionId, _reader.CloseCode, _reader.ErrorReason ?? "");
                    _sink.Reset();
                    if (State == SessionState.Open)
                    {
                        Volatile.Write(ref _state, (int)SessionState.Closing);
                        Volatile.Write(ref _stateSince, Environment.TickCount64);
                        EnqueueClose(_reader.CloseCode, System.Text.Encoding.UTF8.GetBytes(_reader.ErrorReason ?? ""));
                    }

                    _discardInput = true;
                    _skipRemaining = _reader.RemainingFramePayload;
                    break;
            }
        }
    }

    /// <summary>
    /// After a protocol error our close frame is on its way; keep reading (closing TCP with unread
    /// input would reset the connection and could destroy that frame) until the peer's close
    /// frame, EOF or the close timeout. Frames are skipped by their header alone.
    /// </summary>
    private bool DiscardAfterError(ref ReadOnlySequence<byte> buffer)
    {
        while (true)
        {
            if (_skipRemaining > 0)
            {
                var skip = Math.Min(_skipRemaining, buffer.Length);
                buffer = buffer.Slice(skip);
                _skipRemaining -= skip;
                if (_skipRemaining > 0)
                {
                    return false;
                }
            }

            switch (SkimFrameHeader(buffer, out var headerLength, out var payloadLength, out var isClose))
            {
                case ParseStatus.NeedMoreData:
                    return false;
                case ParseStatus.Invalid:
                    // No frame boundary to follow: drop input until EOF or the close timeout.
                    _skipRemaining = long.MaxValue;
                    buffer = buffer.Slice(buffer.End);
                    return false;
            }

            if (isClose)
            {
                // The peer answered our close: the closing handshake is complete.
                buffer = buffer.Slice(buffer.End);
                return true;
            }

            buffer = buffer.Slice(headerLength);
            _skipRemaining = payloadLength;
        }
    }

    /// <summary>Reads only a header's opcode and lengths, accepting anything structurally sound.</summary>
    private static ParseStatus SkimFrameHeader(in ReadOnlySequence<byte> buffer, out int headerLength, out long payloadLength, out bool isClose)
    {
        headerLength = 0;
        payloadLength = 0;
        isClose = false;
        Span<byte> header = stackalloc byte[FrameWriter.MaxHeaderLength];
        var available = (int)Math.Min(buffer.Length, header.Length);
        if (available < 2)
        {
            return ParseStatus.NeedMoreData;
        }

        buffer.Slice(0, available).CopyTo(header);
        isClose = (header[0] & 0x0F) == (int)WebSocketOpcode.Close;
        var length7 = header[1] & 0x7F;
        var lengthBytes = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
        headerLength = 2 + lengthBytes + ((header[1] & 0x80) != 0 ? 4 : 0);
        if (available < headerLength)
        {
            return ParseStatus.NeedMoreData;
        }

        payloadLength = lengthBytes switch
        {
            0 => length7,
            2 => BinaryPrimitives.ReadUInt16BigEndian(header[2..]),
            _ => (long)BinaryPrimitives.ReadUInt64BigEndian(header[2..]),
        };
        return payloadLength < 0 ? ParseStatus.Invalid : ParseStatus.Done;
    }

    private void EnqueueClose(ushort code, ReadOnlySpan<byte> reason)
    {
        Span<byte> payload = stackalloc byte[125];
        BinaryPrimitives.WriteUInt16BigEndian(payload, code);
        var reasonLength = Math.Min(reason.Length, 123);
        reason[..reasonLength].CopyTo(payload[2..]);
        EnqueueCloseFrame(SharedFrame.Create(WebSocketOpcode.Close, payload[..(2 + reasonLength)]));
    }

    private void EnqueueCloseFrame(SharedFrame frame)
    {
        // Room frames published from now on stay unsent; those before go out ahead of the close.
        _queue.StopFeeds();
        EnqueueControl(frame);
        frame.Release();
    }

    /// <summary>Queues a control frame regardless of the byte limit.</summary>
    private void EnqueueControl(SharedFrame frame)
    {
        frame.AddReference();
        Interlocked.Add(ref _queuedBytes, QueueCost(frame));
        _queue.Enqueue(frame);
        ScheduleWriter();
    }

    /// <summary>
    /// What a queued frame counts against <c>--max-queued-bytes</c>: its bytes plus the queue's
    /// own cost of holding it (a ring slot, up to twice over while the ring grows), so a stalled
    /// reader of small frames is bounded in memory too, not only in frame bytes.
    /// </summary>
    private static int QueueCost(SharedFrame frame) => frame.Frame.Length + QueueEntryOverhead;

    private const int QueueEntryOverhead = 16;

    /// <summary>How long a connection has to take a left room's last messages before its cursor is dropped.</summary>
    private const long StoppedFeedGraceMs = 2_000;

    private void CloseSlowConsumer(long queuedBytes)
    {
        if (State != SessionState.Open)
        {
            return;
        }

        _server.Metrics.SlowConsumer();
        Log.SlowConsumer(_server.Logger, _connection.ConnectionId, UserId, queuedBytes);

        // Unread room frames are not sent to a reader being closed for falling behind (it resumes
        // from history), and its cursor no longer keeps the room's recent frames alive.
        _queue.DropFeeds();
        RequestClose(WebSocketCloseCodes.PolicyViolation, "slow consumer: outbound queue limit exceeded"u8);
    }

    /// <summary>
    /// Lean transport with nothing buffered: the zero-byte wait for readability, for the caller to
    /// await in its own state machine rather than inside the input's ReadAsync (a 200-byte state
    /// machine of its own, held by every idle connection); the read after it receives at once. Its
    /// socket errors are connection errors (<see cref="IsConnectionError"/>). Otherwise completed.
    /// </summary>
    private ValueTask<int> IdleWaitAsync()
        => _socket is { Input.WaitsFirst: true } socket ? socket.Input.WaitAsync() : default;

    private static bool IsConnectionError(Exception ex)
        => ex is ConnectionAbortedException or ConnectionResetException or IOException or OperationCanceledException or ObjectDisposedException
            or System.Net.Sockets.SocketException; // the lean transport's zero-byte waits (WaitAsync) surface them raw

    /// <summary>
    /// What a handshake keeps across an await: an asynchronous credential check (the decision, the
    /// key and the deflate agreement for the 101), or an HTTP API request and a refused request's
    /// body to drain. Allocated only on those paths, so an open connection holds none of it.
    /// </summary>
    private sealed class PendingHandshake
    {
        public AcceptDecision Accept;
        public byte[]? Key;
        public DeflateAgreement? Deflate;
        public HttpAnswer HttpAnswer;
    }

    private enum HandshakeOutcome
    {
        NeedMoreData,
        Upgraded,
        PendingAccept,
        PendingApi,
        Answered,
        Refused,
    }
}
