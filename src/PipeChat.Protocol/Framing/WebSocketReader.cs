using System.Buffers;

namespace PipeChat.Protocol.Framing;

/// <summary>
/// Incremental message reader: frame headers, the fragmentation state machine, unmasking,
/// control frames and close-payload validation; the data message itself (size limit, fail-fast
/// UTF-8 validation across fragments and segments, decompression) is a <see cref="MessageAssembly"/>.
/// Pure: no I/O; the one allocation is a
/// 125-byte buffer for control payloads, made by the first ping, pong or close that carries a
/// payload (an idle connection answering empty pings never holds it).
/// A mutable struct: keep it in a field and call <see cref="Read"/> by reference.
/// With an <see cref="Inflater"/> (permessage-deflate negotiated, RFC 7692) a message whose first
/// frame has RSV1 set is decompressed as it arrives: the sink, the UTF-8 check and the size
/// limit all see the decompressed bytes, so a decompression bomb stops at the limit (1009).
/// </summary>
public struct WebSocketReader
{
    /// <summary>Longest control-frame payload (RFC 6455 §5.5); the header reader rejects longer ones.</summary>
    private const int MaxControlPayload = 125;

    private readonly bool _isServer;

    // The frame whose payload is being read (valid while _inFrame).
    private bool _inFrame;
    private bool _frameFin;
    private WebSocketOpcode _frameOpcode;
    private uint _frameMaskKey;
    private int _maskIndex;
    private long _frameRemaining;

    // The data message being assembled (open while _inMessage).
    private bool _inMessage;
    private MessageAssembly _message;

    // Events.
    private WebSocketOpcode _lastMessageType;
    private WebSocketOpcode _lastControlOpcode;
    private byte[]? _control;
    private int _controlLength;
    private ushort _closeCode;
    private string? _errorReason;
    private bool _failed;

    /// <param name="isServer">true: incoming frames must be masked; false: they must not be.</param>
    /// <param name="maxMessageBytes">Largest data message (sum of its fragments); larger → 1009.</param>
    public WebSocketReader(bool isServer, long maxMessageBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxMessageBytes);
        _isServer = isServer;
        _message = new MessageAssembly(maxMessageBytes);
    }

    /// <summary>
    /// Decompressor for messages sent with RSV1 (permessage-deflate negotiated); null (the
    /// default) leaves RSV1 a protocol error. Set before the first frame is read.
    /// </summary>
    public IMessageInflater? Inflater
    {
        readonly get => _message.Inflater;
        set => _message.Inflater = value;
    }

    /// <summary>Whether the last completed message arrived compressed (RSV1), valid after <see cref="WebSocketReadResult.Message"/>.</summary>
    public readonly bool MessageWasCompressed => _message.Compressed;

    /// <summary>Type of the last completed message (Text or Binary), valid after <see cref="WebSocketReadResult.Message"/>.</summary>
    public readonly WebSocketOpcode MessageType => _lastMessageType;

    /// <summary>Close code: the peer's after <see cref="WebSocketReadResult.Close"/> (1005 when the payload was empty), the one to send after <see cref="WebSocketReadResult.Error"/>.</summary>
    public readonly ushort CloseCode => _closeCode;

    /// <summary>A fixed, human-readable reason after <see cref="WebSocketReadResult.Error"/> (e.g. "unmasked client frame").</summary>
    public readonly string? ErrorReason => _errorReason;

    /// <summary>Unmasked payload of the last ping/pong/close frame (≤ 125 bytes).</summary>
    public readonly ReadOnlySpan<byte> ControlPayload => _control.AsSpan(0, _controlLength);

    /// <summary>UTF-8 reason of the last close frame (validated).</summary>
    public readonly ReadOnlySpan<byte> CloseReason
        => _lastControlOpcode == WebSocketOpcode.Close && _controlLength > 2 ? ControlPayload[2..] : default;

    /// <summary>Whether a fragmented data message is open (its final frame not yet read).</summary>
    public readonly bool IsInMessage => _inMessage;

    /// <summary>
    /// Payload bytes of the current frame not yet consumed (0 between frames). After an error
    /// inside a payload (invalid UTF-8) this is how much of that frame is still to come, so a
    /// caller can skip to the next frame boundary while it waits for the peer's close frame.
    /// </summary>
    public readonly long RemainingFramePayload => _inFrame ? _frameRemaining : 0;

    /// <summary>
    /// Consumes input up to the next event. Data payload bytes are unmasked and written to
    /// <paramref name="sink"/> as they arrive (a partial frame is consumed, not held), so
    /// invalid UTF-8 fails as soon as it is seen. After <see cref="WebSocketReadResult.Message"/>
    /// the caller uses and then clears its sink before calling again.
    /// </summary>
    /// <param name="input">Unconsumed input, starting where the previous call's <paramref name="consumed"/> ended.</param>
    /// <param name="sink">Receives the unmasked payload of data frames.</param>
    /// <param name="consumed">How far the input was used; everything before it may be released.</param>
    public WebSocketReadResult Read(in ReadOnlySequence<byte> input, IBufferWriter<byte> sink, out SequencePosition consumed)
    {
        ArgumentNullException.ThrowIfNull(sink);
        var remaining = input;
        while (true)
        {
            if (_failed)
            {
                consumed = remaining.Start;
                return WebSocketReadResult.Error;
            }

            if (!_inFrame && !TryStartFrame(ref remaining))
            {
                consumed = remaining.Start;
                return _failed ? WebSocketReadResult.Error : WebSocketReadResult.NeedMoreData;
            }

            var result = ((byte)_frameOpcode & 0x8) != 0
                ? ReadControlPayload(ref remaining)
                : ReadDataPayload(ref remaining, sink);
            if (result is not null)
            {
                consumed = remaining.Start;
                return result.GetValueOrDefault();
            }
        }
    }

    /// <summary>Back to the state of a new reader: no open message, no pending frame, no error.</summary>
    public void Reset()
    {
        _inFrame = false;
        _inMessage = false;
        _message.Reset();
        _controlLength = 0;
        _lastControlOpcode = default;
        _closeCode = 0;
        _errorReason = null;
        _failed = false;
    }

    /// <summary>Parses and checks the next header; false when more data is needed or on error.</summary>
    private bool TryStartFrame(ref ReadOnlySequence<byte> remaining)
    {
        var status = FrameHeaderReader.TryRead(remaining, _isServer, _message.Inflater is not null, out var header, out var code, out var reason);
        if (status == ParseStatus.NeedMoreData)
        {
            return false;
        }

        if (status == ParseStatus.Invalid)
        {
            return Fail(code, reason!);
        }

        if (header.IsControl)
        {
            _controlLength = 0;
        }
        else
        {
            if (header.Opcode == WebSocketOpcode.Continuation)
            {
                if (!_inMessage)
                {
                    return Fail(WebSocketCloseCodes.ProtocolError, "continuation without a message");
                }
            }
            else
            {
                if (_inMessage)
                {
                    return Fail(WebSocketCloseCodes.ProtocolError, "new message inside a fragmented message");
                }

                _inMessage = true;
                _message.Begin(header.Opcode, header.Rsv1);
            }

            if (!_message.AddFrame(header.PayloadLength))
            {
                return Failed();
            }
        }

        _inFrame = true;
        _frameFin = header.Fin;
        _frameOpcode = header.Opcode;
        _frameMaskKey = header.MaskKey;
        _frameRemaining = header.PayloadLength;
        _maskIndex = 0;
        remaining = remaining.Slice(header.HeaderLength);
        return true;
    }

    /// <summary>Unmasks available payload into the sink; returns an event or null to keep reading.</summary>
    private WebSocketReadResult? ReadDataPayload(ref ReadOnlySequence<byte> remaining, IBufferWriter<byte> sink)
    {
        var take = Math.Min(remaining.Length, _frameRemaining);
        if (take > 0)
        {
            var payload = remaining.Slice(0, take);
            if (payload.IsSingleSegment)
            {
                if (!_message.Write(payload.FirstSpan, sink, _isServer, _frameMaskKey, ref _maskIndex))
                {
                    Failed();
                    return WebSocketReadResult.Error;
                }
            }
            else
            {
                foreach (var segment in payload)
                {
                    if (!_message.Write(segment.Span, sink, _isServer, _frameMaskKey, ref _maskIndex))
                    {
                        Failed();
                        return WebSocketReadResult.Error;
                    }
                }
            }

            remaining = remaining.Slice(take);
            _frameRemaining -= take;
        }

        if (_frameRemaining > 0)
        {
            return WebSocketReadResult.NeedMoreData;
        }

        _inFrame = false;
        if (!_frameFin)
        {
            return null;
        }

        if (!_message.Complete(sink))
        {
            Failed();
            return WebSocketReadResult.Error;
        }

        _inMessage = false;
        _lastMessageType = _message.Opcode;
        return WebSocketReadResult.Message;
    }

    /// <summary>Buffers a control payload until whole, then reports it.</summary>
    private WebSocketReadResult? ReadControlPayload(ref ReadOnlySequence<byte> remaining)
    {
        var take = (int)Math.Min(remaining.Length, _frameRemaining);
        if (take > 0)
        {
            // Allocated here, on the first payload: most connections only ever see empty pings
            // and pongs, and the buffer would otherwise add 125 bytes to every idle connection.
            _control ??= new byte[MaxControlPayload];
            var destination = _control.AsSpan(_controlLength, take);
            remaining.Slice(0, take).CopyTo(destination);
            if (_isServer)
            {
                _maskIndex = WebSocketMask.Apply(destination, _frameMaskKey, _maskIndex);
            }

            _controlLength += take;
            _frameRemaining -= take;
            remaining = remaining.Slice(take);
        }

        if (_frameRemaining > 0)
        {
            return WebSocketReadResult.NeedMoreData;
        }

        _inFrame = false;
        _lastControlOpcode = _frameOpcode;
        switch (_frameOpcode)
        {
            case WebSocketOpcode.Ping:
                return WebSocketReadResult.Ping;
            case WebSocketOpcode.Pong:
                return WebSocketReadResult.Pong;
            default:
                if (!ClosePayload.TryParse(ControlPayload, out var code, out _, out var errorCode))
                {
                    Fail(errorCode, errorCode == WebSocketCloseCodes.InvalidPayloadData ? "invalid UTF-8 in close reason" : "invalid close payload");
                    return WebSocketReadResult.Error;
                }

                _closeCode = code;
                return WebSocketReadResult.Close;
        }
    }

    private bool Fail(ushort code, string reason)
    {
        _message.Fail(code, reason);
        return Failed();
    }

    /// <summary>Takes the failure the message assembly recorded as the reader's error.</summary>
    private bool Failed()
    {
        _failed = true;
        _closeCode = _message.FailureCode;
        _errorReason = _message.FailureReason;
        return false;
    }
}
