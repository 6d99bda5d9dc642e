using System.Buffers;
using System.Buffers.Binary;
using PipeChat.Protocol.Framing;
using PipeChat.Protocol.Handshake;
using PipeChat.Server.Buffers;

namespace PipeChat.Server.Connections;

/// <summary>
/// The connection's life-cycle state machine (handshaking → open → closing → closed) with when
/// it last changed, and the input discard after a protocol error: our close frame is on its way,
/// and the input is read on (closing TCP with unread input would reset the connection and could
/// destroy that frame) until the peer's close frame, EOF or the close timeout, frames skipped by
/// their header alone. Held by value by the session; safe to read from any thread.
/// </summary>
internal struct ClosingHandshake
{
    private int _state;
    private long _since;
    private bool _discarding;
    private long _skipRemaining;

    public ClosingHandshake(long now) => _since = now;

    public readonly SessionState State => (SessionState)Volatile.Read(in _state);

    /// <summary>Milliseconds in the current state at tick <paramref name="now"/>.</summary>
    public readonly long Elapsed(long now) => now - Volatile.Read(in _since);

    /// <summary>True after a protocol error, until the session ends: the input is only skimmed for the peer's close.</summary>
    public readonly bool Discarding => _discarding;

    /// <summary>Whether the session is in <paramref name="state"/> and has been for longer than <paramref name="timeoutMs"/> at tick <paramref name="now"/>.</summary>
    public readonly bool Outlasted(SessionState state, long now, long timeoutMs) => State == state && Elapsed(now) > timeoutMs;

    /// <summary>A close frame with <paramref name="code"/> and as much of <paramref name="reason"/> as fits (123 bytes), referenced once.</summary>
    public static SharedFrame CloseFrame(ushort code, ReadOnlySpan<byte> reason)
    {
        Span<byte> payload = stackalloc byte[125];
        BinaryPrimitives.WriteUInt16BigEndian(payload, code);
        var reasonLength = Math.Min(reason.Length, 123);
        reason[..reasonLength].CopyTo(payload[2..]);
        return SharedFrame.Create(WebSocketOpcode.Close, payload[..(2 + reasonLength)]);
    }

    /// <summary>The close frame answering a peer's close with <paramref name="peerCode"/>: its code, or none when it sent none.</summary>
    public static SharedFrame EchoFrame(ushort peerCode)
        => peerCode == WebSocketCloseCodes.NoStatusReceived ? SharedFrame.Create(WebSocketOpcode.Close, default) : CloseFrame(peerCode, default);

    /// <summary>The handshake succeeded.</summary>
    public void Open(long now) => Set(SessionState.Open, now);

    /// <summary>Open → closing, once (our close, the peer's close, an error); false when not open.</summary>
    public bool TryBeginClosing(long now)
    {
        if (Interlocked.CompareExchange(ref _state, (int)SessionState.Closing, (int)SessionState.Open) != (int)SessionState.Open)
        {
            return false;
        }

        Volatile.Write(ref _since, now);
        return true;
    }

    /// <summary>Session end: a session still handshaking or open counts as closing while its last frames go out.</summary>
    public void Ending(long now)
    {
        if (State is SessionState.Open or SessionState.Handshaking)
        {
            Set(SessionState.Closing, now);
        }
    }

    public void Closed() => Volatile.Write(ref _state, (int)SessionState.Closed);

    /// <summary>A protocol error: from now on the input is skimmed, starting with the rest of the bad frame's payload.</summary>
    public void StartDiscarding(long skipPayload)
    {
        _discarding = true;
        _skipRemaining = skipPayload;
    }

    /// <summary>Skims <paramref name="buffer"/> (consuming it); true once the peer's close frame arrived.</summary>
    public bool Discard(ref ReadOnlySequence<byte> buffer)
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

    private void Set(SessionState state, long now)
    {
        Volatile.Write(ref _since, now);
        Volatile.Write(ref _state, (int)state);
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
}
