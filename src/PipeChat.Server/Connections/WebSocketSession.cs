using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Buffers;
using PipeChat.Server.Diagnostics;
using PipeChat.Server.Rooms;
using PipeChat.Server.Transport;

namespace PipeChat.Server.Connections;

/// <summary>
/// One client connection, from accept to close: its receiving half and its life. Each step is a
/// type of its own and hands its result to the next: admission (<see cref="AddressAdmission"/>)
/// → the opening handshake (<see cref="UpgradeHandshake"/>) → frames (<see cref="FrameReceiver"/>)
/// → the application (<see cref="IWebSocketApplication"/>) → the sending half
/// (<see cref="SessionOutbound"/>: the bounded <see cref="OutboundQueue"/> and the
/// <see cref="OutboundWriter"/>) → the socket. The close state machine
/// (<see cref="ClosingHandshake"/>) and keep-alive (<see cref="KeepAlive"/>) are held by value.
/// The read loop runs in <see cref="RunAsync"/>'s own state machine; the registry's heartbeat
/// drives the timeouts.
/// </summary>
internal sealed class WebSocketSession : SessionOutbound
{
    /// <summary>How long a connection has to take a left room's last messages before its cursor is dropped.</summary>
    private const long StoppedFeedGraceMs = 2_000;

    private readonly PipeReader _input;
    private FrameReceiver _receiver;
    private KeepAlive _keepAlive;
    private long _closeAt = long.MaxValue;
    private ScheduledClose? _closeAtReason;
    private IWebSocketApplication? _application;

    public WebSocketSession(ConnectionContext connection, ServerContext server)
        : base(connection, server)
    {
        _input = connection.Transport.Input;
        _receiver = new FrameReceiver(server.Options.MaxMessageBytes);
        _keepAlive = new KeepAlive(Environment.TickCount64);
    }

    /// <summary>Runs the connection to its end. Never throws.</summary>
    public async Task RunAsync()
    {
        _server.Metrics.ConnectionAccepted();
        if (!_admission.TryAdmit(_connection, _server))
        {
            AbortForAddressLimit();
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
            var handshake = await UpgradeHandshake.RunAsync(this, _connection, _server);
            if (!handshake.Upgraded)
            {
                return;
            }

            Open(handshake);
            opened = true;
            _server.Metrics.ConnectionOpened();
            _application!.OnOpen(this);
            FlushUpgrade();

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
                        _keepAlive.Received(Environment.TickCount64);
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
            _admission.Release(_server.Sessions);
        }
    }

    /// <summary>The connection's count against its client address; the handshake completes it for a trusted proxy's connection.</summary>
    internal ref AddressAdmission Admission => ref _admission;

    /// <summary>Drops the connection at once, nothing answered: its client address is at <c>--max-connections-per-ip</c>.</summary>
    internal void AbortForAddressLimit() => Abort("too many connections from this address");

    /// <inheritdoc/>
    public override void CloseAt(long tick, ScheduledClose close)
    {
        _closeAtReason = close;
        Volatile.Write(ref _closeAt, tick);
    }

    /// <summary>Called by the registry's heartbeat: close timeout, scheduled close, ping, ping timeout, queue trimming.</summary>
    public void OnHeartbeat(long now)
    {
        if (_lifecycle.Outlasted(SessionState.Closing, now, _server.CloseTimeoutMs))
        {
            TimedOut("closing handshake", "close timeout");
        }
        else if (_lifecycle.State == SessionState.Open)
        {
            if (now >= Volatile.Read(ref _closeAt) && _closeAtReason is { } scheduled)
            {
                RequestClose(scheduled.Code, scheduled.Reason);
                return;
            }

            _queue.TrimIfEmpty();
            _queue.DropStaleStopped(now, StoppedFeedGraceMs);
            switch (_keepAlive.Check(now, _server.PingIntervalMs))
            {
                case KeepAliveAction.TimedOut:
                    TimedOut("no data or pong for two ping intervals", "ping timeout");
                    break;
                case KeepAliveAction.Ping:
                    EnqueueControl(KeepAlive.Ping);
                    break;
            }
        }
    }

    /// <summary>
    /// The registry's handshake check: drops the connection if its handshake has outlasted the
    /// timeout; true when the session no longer needs watching for it (dropped, or past its handshake).
    /// </summary>
    public bool CheckHandshakeDeadline(long now)
    {
        if (_lifecycle.State != SessionState.Handshaking)
        {
            return true;
        }

        if (!_lifecycle.Outlasted(SessionState.Handshaking, now, _server.HandshakeTimeoutMs))
        {
            return false;
        }

        TimedOut("handshake", "handshake timeout");
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
        ApplicationState = handshake.State;
        if (handshake.DeflateWindowBits != 0)
        {
            _receiver.UseInflater(_server.Deflate!.CreateSessionInflater());
            DeflateWindowBits = handshake.DeflateWindowBits;
        }

        // The 101 stays in the output: the writer sends it with the first frames (the welcome),
        // one send and one wake-up of the client instead of two.
        UpgradeWritten();
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

            switch (_receiver.Read(ref buffer, _server, _connection))
            {
                case WebSocketReadResult.NeedMoreData:
                    return false;

                case WebSocketReadResult.Message:
                    if (_lifecycle.State == SessionState.Open)
                    {
                        _application!.OnMessage(this, _receiver.MessageType, _receiver.Message);
                    }

                    _receiver.MessageHandled();
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
                        EnqueueClose(ClosingHandshake.EchoFrame(_receiver.CloseCode));
                    }

                    return true;

                case WebSocketReadResult.Error:
                    // Close with the error's code, then only skim the input for the peer's close.
                    if (_lifecycle.TryBeginClosing(Environment.TickCount64))
                    {
                        EnqueueClose(ClosingHandshake.CloseFrame(_receiver.CloseCode, System.Text.Encoding.UTF8.GetBytes(_receiver.ErrorReason)));
                    }

                    _lifecycle.StartDiscarding(_receiver.RemainingFramePayload);
                    break;
            }
        }
    }

    /// <summary>Session end: the writer sends what is queued (the close frame), then everything is released.</summary>
    private async Task FinishAsync()
    {
        _lifecycle.Ending(Environment.TickCount64);
        try
        {
            await FinishWritesAsync();
        }
        finally
        {
            _lifecycle.Closed();
            ReleaseQueued(ended: true);
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

    private void TimedOut(string what, string abortReason)
    {
        Log.TimedOut(_server.Logger, _connection.ConnectionId, what);
        Abort(abortReason);
    }
}
