using System.Buffers;
using PipeChat.Protocol.Framing;
using Microsoft.AspNetCore.Connections;
using PipeChat.Server.Buffers;
using PipeChat.Server.Diagnostics;

namespace PipeChat.Server.Connections;

/// <summary>
/// The receive side of an open connection: parses client frames (unmasking, reassembling
/// fragments, inflating) into one event at a time, the complete message in a buffer of its own.
/// The session holds it by value and dispatches each event; it calls nothing but metrics and logging.
/// </summary>
internal struct FrameReceiver
{
    private readonly MessageBuffer _message = new();
    private WebSocketReader _reader;

    public FrameReceiver(long maxMessageBytes) => _reader = new WebSocketReader(isServer: true, maxMessageBytes);

    /// <summary>
    /// The next event in <paramref name="buffer"/>, which is advanced past what it used. Messages
    /// and protocol errors are counted (and errors logged) here, once, whatever the session does with them.
    /// </summary>
    public WebSocketReadResult Read(ref ReadOnlySequence<byte> buffer, ServerContext server, ConnectionContext connection)
    {
        var result = _reader.Read(buffer, _message, out var position);
        buffer = buffer.Slice(position);
        if (result == WebSocketReadResult.Message)
        {
            server.Metrics.MessageIn(_message.WrittenCount);
            if (_reader.MessageWasCompressed)
            {
                server.Metrics.CompressedMessageIn();
            }
        }
        else if (result == WebSocketReadResult.Error)
        {
            server.Metrics.ProtocolError();
            Log.ProtocolError(server.Logger, connection.ConnectionId, _reader.CloseCode, ErrorReason);
            _message.Reset();
        }

        return result;
    }

    /// <summary>After <see cref="WebSocketReadResult.Message"/>: its type.</summary>
    public readonly WebSocketOpcode MessageType => _reader.MessageType;

    /// <summary>After <see cref="WebSocketReadResult.Message"/>: its payload, valid until <see cref="MessageHandled"/>.</summary>
    public readonly ReadOnlySpan<byte> Message => _message.WrittenSpan;

    /// <summary>After a ping or pong: its payload.</summary>
    public readonly ReadOnlySpan<byte> ControlPayload => _reader.ControlPayload;

    /// <summary>After a close: the peer's code; after an error: the code to close with.</summary>
    public readonly ushort CloseCode => _reader.CloseCode;

    /// <summary>After an error: why.</summary>
    public readonly string ErrorReason => _reader.ErrorReason ?? "";

    /// <summary>After an error: the payload bytes of the frame in progress still to come (to skip).</summary>
    public readonly long RemainingFramePayload => _reader.RemainingFramePayload;

    /// <summary>Switches permessage-deflate on for received messages.</summary>
    public void UseInflater(IMessageInflater inflater) => _reader.Inflater = inflater;

    /// <summary>Forgets the message (after it was handled or on an error).</summary>
    public readonly void MessageHandled() => _message.Reset();

    /// <summary>Session end: returns the message buffer and the inflater's state.</summary>
    public readonly void Release()
    {
        _message.Reset();
        _reader.Inflater?.Reset();
    }
}
