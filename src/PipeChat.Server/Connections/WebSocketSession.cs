using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Buffers;
using PipeChat.Server.Diagnostics;
using PipeChat.Server.Rooms;
using PipeChat.Server.Transport;

namespace PipeChat.Server.Connections;

/// <summary>
/// One client connection, from accept to close. It owns the steps of its life, one type each,
/// and passes each event to the next: admission (<see cref="AddressAdmission"/>) → the opening
/// handshake (<see cref="UpgradeHandshake"/>) → frames (<see cref="FrameReceiver"/>) → the
/// application (<see cref="IWebSocketApplication"/>) → the bounded queue
/// (<see cref="OutboundQueue"/>) → the writer (<see cref="OutboundWriter"/>) → the socket, with
/// the life-cycle and close state machine (<see cref="ClosingHandshake"/>) and keep-alive
/// (<see cref="KeepAlive"/>) held by value. The read loop runs in <see cref="RunAsync"/>'s own
/// state machine; the registry's heartbeat drives the timeouts.
/// </summary>
internal sealed class WebSocketSession : IWebSocketConnection, IFeedReader
{
    /// <summary>How long a connection has to take a left room's last messages before its cursor is dropped.</summary>
    private const long StoppedFeedGraceMs = 2_000;

    private static long s_nextConnectionId;
    private static readonly SharedFrame s_ping = SharedFrame.Create(WebSocketOpcode.Ping, default);

    private readonly ConnectionContext _connection;
    private readonly ServerContext _server;
    private readonly PipeReader _input;

    /// <summary>The lean transport's direct socket access, for the zero-byte wait before each read; null on pipe transports.</summary>
    private readonly IDirectSocketFeature? _direct;
    private readonly OutboundQueue _queue;
    private readonly OutboundWriter _writer;
    private FrameReceiver _receiver;
    private ClosingHandshake _lifecycle;
    private KeepAlive _keepAlive;
    private IWebSocketApplication? _application;

    public WebSocketSession(ConnectionContext connection, ServerContext server)
    {
        _connection = connection;
        _server = server;
        _input = connection.Transport.Input;
        _direct = connection.Features.Get<IDirectSocketFeature>();
        _queue = new OutboundQueue(server.Options.MaxQueuedBytes);
        _writer = new OutboundWriter(connection, server, this, _queue);
        _receiver = new FrameReceiver(server.Options.MaxMessageBytes);
        var now = Environment.TickCount64;
        _lifecycle = new ClosingHandshake(now);
        _keepAlive = new KeepAlive(now);
        ConnectionId = Interlocked.Increment(ref s_nextConnectionId);
    }

    public long ConnectionId { get; }

    /// <summary>True when frames go straight to the socket (the lean transport without TLS).</summary>
    internal bool SendsDirect => _writer.SendsDirect;

    public string UserId { get; private set; } = "";

    /// <summary>The remote endpoint, for limits and logs.</summary>
    public System.Net.EndPoint? RemoteEndPoint => _connection.RemoteEndPoint;

    /// <summary>Per-connection state owned by the application (e.g. the rooms it joined).</summary>
    public object? ApplicationState { get; set; }

    /// <summary>Bytes queued and not yet handed to the transport.</summary>
    public long QueuedBytes => _queue.QueuedBytes;

    internal SessionState State => _lifecycle.State;

    /// <summary>Runs the connection to its end. Never throws.</summary>
    public async Task RunAsync()
    {
        _server.Metrics.ConnectionAccepted();
        if (!AddressAdmission.TryAdmit(_connection, _server, out var admission))
        {
            Abort("too many connections from this address");
            return;
        }

        var opened = false;
        _server.Sessions.Add(this);
        try
        {
            // Wait for the request here (see IdleWaitAsync): the handshake then usually finishes
            // without suspending, so a connect burst makes no handshake state machine and no
            // receive state machine per connection (≈ 400 bytes of garbage each).
            await IdleWaitAsync();
            var handshake = await UpgradeHandshake.RunAsync(_connection, _server);
            if (!handshake.Upgraded)
            {
                return;
            }

            Open(handshake);
            opened = true;
            _server.Metrics.ConnectionOpened();
            _application!.OnOpen(this);
            _writer.FlushUpgrade();

            // The receive loop lives here rather than in its own async method: one state machine
            // per connection instead of two.
            while (true)
            {
                await IdleWaitAsync();
                var result = await _input.ReadAsync();
                var buffer = result.Buffer;
                var done = false;
                _writer.BeginReadBatch();
                try
                {
                    if (!buffer.IsEmpty)
                    {
                        _keepAlive.Received(Environment.TickCount64);
                    }

                    done = _lifecycle.Discarding ? _lifecycle.Discard(ref buffer) : ProcessFrames(ref buffer);
                }
                finally
                {
                    _writer.EndReadBatch();
                    _input.AdvanceTo(buffer.Start, buffer.End);
                }

                if (done || result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ConnectionErrors.Is(ex))
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
            admission.Release(_server.Sessions);
        }
    }

    /// <summary>Queues a frame; see <see cref="IRoomMember.TrySend"/>.</summary>
    public bool TrySend(SharedFrame frame)
    {
        if (_lifecycle.State != SessionState.Open)
        {
            return false;
        }

        if (_writer.DeflateWindowBits != 0)
        {
            frame = frame.ForDeflateRecipient(_server.Deflate!, _writer.DeflateWindowBits);
        }

        // Referenced before it is queued: the writer may send and release it at once.
        frame.AddReference();
        if (!_queue.TryEnqueue(frame, out var queued))
        {
            frame.Release();
            CloseSlowConsumer(queued);
            return false;
        }

        _writer.Schedule();
        return true;
    }

    void IFeedReader.Subscribe(RoomFeed feed) => _queue.Subscribe(feed);

    void IFeedReader.Unsubscribe(RoomFeed feed)
    {
        _queue.Unsubscribe(feed);

        // The writer sends what was published before the leave and then forgets the cursor.
        _writer.Schedule();
    }

    /// <summary>A room this connection is in has a new frame: checks the limit and wakes the writer.</summary>
    bool IFeedReader.Notify(RoomFeed feed, SharedFrame frame)
    {
        if (_lifecycle.State != SessionState.Open)
        {
            return false;
        }

        if (_writer.DeflateWindowBits != 0)
        {
            // Build the compressed twin here, once, on the publishing thread (as a queued frame
            // would), so writers running in parallel do not race to build it and send it plain.
            frame.ForDeflateRecipient(_server.Deflate!, _writer.DeflateWindowBits);
        }

        // The room's unread frames are shared by every member behind, but they still count
        // against this connection's limit, as frames in its own queue do.
        var behind = _queue.LagIn(feed);
        if (behind > _queue.MaxQueuedBytes)
        {
            CloseSlowConsumer(behind + _queue.QueuedBytes);
            return false;
        }

        _writer.Schedule();
        return true;
    }

    /// <summary>
    /// Starts the closing handshake from our side (once): queues a close frame and waits, within
    /// the close timeout, for the peer's close before dropping TCP. Safe from any thread.
    /// </summary>
    public void RequestClose(ushort code, ReadOnlySpan<byte> reason)
    {
        if (_lifecycle.TryBeginClosing(Environment.TickCount64))
        {
            EnqueueClose(code, reason);
        }
    }

    /// <summary>Called by the registry's heartbeat: ping, ping timeout, close timeout, queue trimming.</summary>
    public void OnHeartbeat(long now)
    {
        switch (_lifecycle.State)
        {
            case SessionState.Handshaking:
                CheckHandshakeDeadline(now);
                break;
            case SessionState.Open:
                _queue.TrimIfEmpty();
                _queue.DropStaleStopped(now, StoppedFeedGraceMs);
                switch (_keepAlive.Check(now, _server.PingIntervalMs))
                {
                    case KeepAliveAction.TimedOut:
                        Log.TimedOut(_server.Logger, _connection.ConnectionId, "no data or pong for two ping intervals");
                        Abort("ping timeout");
                        break;
                    case KeepAliveAction.Ping:
                        EnqueueControl(s_ping);
                        break;
                }

                break;
            case SessionState.Closing when _lifecycle.Elapsed(now) > _server.CloseTimeoutMs:
                Log.TimedOut(_server.Logger, _connection.ConnectionId, "closing handshake");
                Abort("close timeout");
                break;
        }
    }

    /// <summary>
    /// Drops the connection if its handshake has outlasted the handshake timeout; true when the
    /// session no longer needs watching for it (dropped, or past its handshake).
    /// </summary>
    public bool CheckHandshakeDeadline(long now)
    {
        if (_lifecycle.State != SessionState.Handshaking)
        {
            return true;
        }

        if (_lifecycle.Elapsed(now) <= _server.HandshakeTimeoutMs)
        {
            return false;
        }

        Log.TimedOut(_server.Logger, _connection.ConnectionId, "handshake");
        Abort("handshake timeout");
        return true;
    }

    /// <summary>Server shutdown: close 1001 if open, drop if still handshaking.</summary>
    public void CloseForShutdown()
    {
        if (_lifecycle.State == SessionState.Handshaking)
        {
            Abort("server shutting down");
            return;
        }

        RequestClose(WebSocketCloseCodes.GoingAway, "server shutting down"u8);
    }

    /// <summary>The handshake upgraded: the application, the user and permessage-deflate take effect, and frames may flow.</summary>
    private void Open(in HandshakeResult handshake)
    {
        _application = handshake.Application;
        UserId = handshake.UserId;
        if (handshake.DeflateWindowBits != 0)
        {
            _receiver.UseInflater(_server.Deflate!.CreateSessionInflater());
            _writer.DeflateWindowBits = handshake.DeflateWindowBits;
        }

        // The 101 stays in the output: the writer sends it with the first frames (the welcome),
        // one send and one wake-up of the client instead of two.
        _writer.UpgradeWritten();
        var now = Environment.TickCount64;
        _keepAlive.Received(now);
        _lifecycle.Open(now);
    }

    /// <summary>Dispatches every complete event in the buffer; true when the session is over.</summary>
    private bool ProcessFrames(ref ReadOnlySequence<byte> buffer)
    {
        while (true)
        {
            if (_lifecycle.Discarding)
            {
                return _lifecycle.Discard(ref buffer);
            }

            switch (_receiver.Read(ref buffer))
            {
                case WebSocketReadResult.NeedMoreData:
                    return false;

                case WebSocketReadResult.Message:
                    OnMessage();
                    break;

                case WebSocketReadResult.Ping:
                    if (_lifecycle.State == SessionState.Open)
                    {
                        var pong = SharedFrame.Create(WebSocketOpcode.Pong, _receiver.ControlPayload);
                        EnqueueControl(pong);
                        pong.Release();
                    }

                    break;

                case WebSocketReadResult.Pong:
                    _keepAlive.PongReceived();
                    break;

                case WebSocketReadResult.Close:
                    if (_lifecycle.TryBeginClosing(Environment.TickCount64))
                    {
                        // The peer started the closing handshake: echo its code (RFC 6455 §5.5.1).
                        if (_receiver.CloseCode == WebSocketCloseCodes.NoStatusReceived)
                        {
                            EnqueueCloseFrame(SharedFrame.Create(WebSocketOpcode.Close, default));
                        }
                        else
                        {
                            EnqueueClose(_receiver.CloseCode, default);
                        }
                    }

                    return true;

                case WebSocketReadResult.Error:
                    OnProtocolError();
                    break;
            }
        }
    }

    private void OnMessage()
    {
        _server.Metrics.MessageIn(_receiver.Message.Length);
        if (_receiver.MessageWasCompressed)
        {
            _server.Metrics.CompressedMessageIn();
        }

        if (_lifecycle.State == SessionState.Open)
        {
            _application!.OnMessage(this, _receiver.MessageType, _receiver.Message);
        }

        _receiver.MessageHandled();
    }

    /// <summary>A protocol error: close with its code, then only skim the input for the peer's close.</summary>
    private void OnProtocolError()
    {
        _server.Metrics.ProtocolError();
        Log.ProtocolError(_server.Logger, _connection.ConnectionId, _receiver.CloseCode, _receiver.ErrorReason);
        _receiver.MessageHandled();
        if (_lifecycle.TryBeginClosing(Environment.TickCount64))
        {
            EnqueueClose(_receiver.CloseCode, System.Text.Encoding.UTF8.GetBytes(_receiver.ErrorReason));
        }

        _lifecycle.StartDiscarding(_receiver.RemainingFramePayload);
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
        _queue.Enqueue(frame);
        _writer.Schedule();
    }

    private void CloseSlowConsumer(long queuedBytes)
    {
        if (_lifecycle.State != SessionState.Open)
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

    /// <summary>Session end: the writer sends what is queued (the close frame), then everything is released.</summary>
    private async Task FinishAsync()
    {
        _lifecycle.Ending(Environment.TickCount64);
        try
        {
            await _writer.FinishAsync();
        }
        finally
        {
            _lifecycle.Closed();
            _writer.ReleaseQueued(ended: true);
            _receiver.Release();
            _server.Sessions.Remove(this);
            try
            {
                await _connection.Transport.Output.CompleteAsync();
                await _input.CompleteAsync();
            }
            catch (Exception)
            {
                // Already completed by the transport.
            }
        }
    }

    /// <summary>
    /// With direct socket access and nothing buffered: the zero-byte wait for readability, for
    /// the caller to await in its own state machine rather than inside the input's ReadAsync (a
    /// 200-byte state machine of its own, held by every idle connection); the read after it
    /// receives at once. Its socket errors are connection errors. Otherwise completed.
    /// </summary>
    private ValueTask<int> IdleWaitAsync()
        => _direct is { WaitsFirst: true } direct ? direct.WaitAsync() : default;

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
}
