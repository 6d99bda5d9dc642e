using System.Buffers.Binary;
using System.Text;
using PipeChat.Protocol.Framing;
using PipeChat.Protocol.Handshake;
using PipeChat.Server.Connections;
using PipeChat.Server.Tests.Conformance;

namespace PipeChat.Server.Tests.Sessions;

/// <summary>
/// The session's state machine over an in-memory connection: no socket, no host, no timer (the
/// heartbeat is driven with a chosen tick).
/// </summary>
public sealed class SessionStateMachineTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task An_upgrade_request_is_answered_with_101_and_the_session_opens()
    {
        await using var harness = new SessionHarness();

        await harness.UpgradeAsync();

        Assert.Equal(SessionState.Open, harness.Session.State);
        Assert.Equal("tester", harness.Session.UserId);
        Assert.False(harness.Session.SendsDirect);
    }

    [Fact]
    public async Task A_refused_upgrade_gets_its_status_and_the_session_ends_without_opening()
    {
        await using var harness = new SessionHarness(new RecordingApplication { Refusal = new HandshakeError(403, "origin not allowed") });

        await harness.SendAsync(SessionHarness.UpgradeRequest(out _));

        Assert.StartsWith("HTTP/1.1 403", await harness.ReadHttpHeadAsync(), StringComparison.Ordinal);
        await harness.Run.WaitAsync(Timeout);
        Assert.False(harness.Application.Opened.Task.IsCompleted);
        Assert.Equal(SessionState.Closed, harness.Session.State);
    }

    [Fact]
    public async Task A_text_message_reaches_the_application()
    {
        await using var harness = new SessionHarness();
        await harness.UpgradeAsync();

        await harness.SendFrameAsync(WebSocketOpcode.Text, "hello"u8);

        Assert.Equal("Text:hello", await harness.Application.Messages.ReadAsync().AsTask().WaitAsync(Timeout));
    }

    [Fact]
    public async Task Frames_sent_with_the_upgrade_request_are_not_lost()
    {
        await using var harness = new SessionHarness();

        byte[] write = [.. Encoding.ASCII.GetBytes(SessionHarness.UpgradeRequest(out _)), .. ClientFrames.Build(WebSocketOpcode.Text, "early"u8)];
        await harness.SendAsync(write);

        Assert.StartsWith("HTTP/1.1 101", await harness.ReadHttpHeadAsync(), StringComparison.Ordinal);
        Assert.Equal("Text:early", await harness.Application.Messages.ReadAsync().AsTask().WaitAsync(Timeout));
    }

    [Fact]
    public async Task A_ping_is_answered_with_a_pong_carrying_its_payload()
    {
        await using var harness = new SessionHarness();
        await harness.UpgradeAsync();

        await harness.SendFrameAsync(WebSocketOpcode.Ping, "are you there"u8);

        var pong = await harness.ReadFrameAsync();
        Assert.NotNull(pong);
        Assert.Equal(WebSocketOpcode.Pong, pong.Value.Opcode);
        Assert.Equal("are you there", Encoding.UTF8.GetString(pong.Value.Payload));
    }

    [Fact]
    public async Task A_client_close_is_echoed_and_the_session_ends()
    {
        await using var harness = new SessionHarness();
        await harness.UpgradeAsync();

        await harness.SendFrameAsync(WebSocketOpcode.Close, ClientFrames.ClosePayload(WebSocketCloseCodes.NormalClosure, "bye"u8));

        var close = await harness.ReadFrameAsync();
        Assert.NotNull(close);
        Assert.Equal(WebSocketOpcode.Close, close.Value.Opcode);
        Assert.Equal(WebSocketCloseCodes.NormalClosure, BinaryPrimitives.ReadUInt16BigEndian(close.Value.Payload));
        await harness.ExpectEndAsync();
        await harness.Run.WaitAsync(Timeout);
        await harness.Application.Closed.Task.WaitAsync(Timeout);
        Assert.Equal(SessionState.Closed, harness.Session.State);
    }

    [Fact]
    public async Task A_protocol_error_closes_with_its_code_then_input_is_discarded_until_the_peer_closes()
    {
        await using var harness = new SessionHarness();
        await harness.UpgradeAsync();

        // A reserved opcode (0x3) is a protocol error (1002).
        await harness.SendFrameAsync((WebSocketOpcode)0x3, "x"u8);
        var close = await harness.ReadFrameAsync();
        Assert.NotNull(close);
        Assert.Equal(WebSocketOpcode.Close, close.Value.Opcode);
        Assert.Equal(WebSocketCloseCodes.ProtocolError, BinaryPrimitives.ReadUInt16BigEndian(close.Value.Payload));
        Assert.Equal(SessionState.Closing, harness.Session.State);

        // Still read, but only skimmed: neither the message nor the ping is handled.
        await harness.SendFrameAsync(WebSocketOpcode.Text, "ignored"u8);
        await harness.SendFrameAsync(WebSocketOpcode.Ping, "ignored"u8);
        Assert.False(harness.Run.IsCompleted);

        await harness.SendFrameAsync(WebSocketOpcode.Close, ClientFrames.ClosePayload(WebSocketCloseCodes.ProtocolError));
        await harness.ExpectEndAsync();
        await harness.Run.WaitAsync(Timeout);
        Assert.False(harness.Application.Messages.TryRead(out var message), $"a message was handled after the error: {message}");
        Assert.False(harness.Connection.Aborted.IsCompleted, "the session ended by abort, not by the peer's close");
    }

    [Fact]
    public async Task A_server_close_waits_for_the_peer_then_the_close_timeout_drops_the_connection()
    {
        await using var harness = new SessionHarness();
        await harness.UpgradeAsync();

        var now = Environment.TickCount64;
        harness.Session.RequestClose(WebSocketCloseCodes.GoingAway, "maintenance"u8);

        var close = await harness.ReadFrameAsync();
        Assert.NotNull(close);
        Assert.Equal(WebSocketOpcode.Close, close.Value.Opcode);
        Assert.Equal(WebSocketCloseCodes.GoingAway, BinaryPrimitives.ReadUInt16BigEndian(close.Value.Payload));
        Assert.Equal("maintenance", Encoding.UTF8.GetString(close.Value.Payload.AsSpan(2)));
        Assert.False(harness.Session.TrySend(Buffers.SharedFrame.Create(WebSocketOpcode.Text, "late"u8)), "a closing session took a frame");

        harness.Session.OnHeartbeat(now + harness.Server.CloseTimeoutMs - 100);
        Assert.False(harness.Connection.Aborted.IsCompleted, "dropped before the close timeout");

        harness.Session.OnHeartbeat(now + harness.Server.CloseTimeoutMs + 1_000);
        Assert.Equal("close timeout", await harness.Connection.Aborted.WaitAsync(Timeout));
        await harness.Run.WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_quiet_connection_is_pinged_then_dropped_when_the_ping_goes_unanswered()
    {
        await using var harness = new SessionHarness();
        await harness.UpgradeAsync();
        var interval = harness.Server.PingIntervalMs;
        var start = Environment.TickCount64;

        harness.Session.OnHeartbeat(start + (interval / 2));
        harness.Session.OnHeartbeat(start + interval + 100);

        var ping = await harness.ReadFrameAsync();
        Assert.NotNull(ping);
        Assert.Equal(WebSocketOpcode.Ping, ping.Value.Opcode);

        harness.Session.OnHeartbeat(start + (2 * interval) + 50);
        Assert.False(harness.Connection.Aborted.IsCompleted, "dropped before the ping had a whole interval to be answered");

        harness.Session.OnHeartbeat(start + (3 * interval) + 200);
        Assert.Equal("ping timeout", await harness.Connection.Aborted.WaitAsync(Timeout));
        await harness.Run.WaitAsync(Timeout);
    }

    [Fact]
    public async Task An_answered_ping_keeps_the_connection()
    {
        await using var harness = new SessionHarness();
        await harness.UpgradeAsync();
        var interval = harness.Server.PingIntervalMs;
        var start = Environment.TickCount64;

        harness.Session.OnHeartbeat(start + interval + 100);
        Assert.Equal(WebSocketOpcode.Ping, (await harness.ReadFrameAsync())?.Opcode);
        await harness.SendFrameAsync(WebSocketOpcode.Pong, default);

        // The pong (data received) resets the idle clock and answers the ping.
        await harness.SendFrameAsync(WebSocketOpcode.Text, "still here"u8);
        Assert.Equal("Text:still here", await harness.Application.Messages.ReadAsync().AsTask().WaitAsync(Timeout));
        harness.Session.OnHeartbeat(Environment.TickCount64 + 100);

        Assert.False(harness.Connection.Aborted.IsCompleted);
        Assert.Equal(SessionState.Open, harness.Session.State);
    }

    [Fact]
    public async Task A_handshake_past_its_deadline_is_dropped_and_one_within_it_is_kept()
    {
        await using var harness = new SessionHarness();
        await harness.SendAsync("GET /chat HTTP/1.1\r\n");
        var start = Environment.TickCount64;

        Assert.False(harness.Session.CheckHandshakeDeadline(start + (harness.Server.HandshakeTimeoutMs / 2)));
        Assert.False(harness.Connection.Aborted.IsCompleted);

        Assert.True(harness.Session.CheckHandshakeDeadline(start + harness.Server.HandshakeTimeoutMs + 1_000));
        Assert.Equal("handshake timeout", await harness.Connection.Aborted.WaitAsync(Timeout));
        await harness.Run.WaitAsync(Timeout);
        Assert.False(harness.Application.Opened.Task.IsCompleted);
    }
}
