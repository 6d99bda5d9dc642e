using System.Buffers;
using PipeChat.Protocol.Text;

namespace PipeChat.Protocol.Framing;

/// <summary>
/// The data message a <see cref="WebSocketReader"/> is assembling from its frames: the size
/// limit, fail-fast UTF-8 validation of text across fragments, and (with permessage-deflate,
/// RFC 7692) decompression as the payload arrives, so the sink, the UTF-8 check and the limit all
/// see decompressed bytes and a decompression bomb stops at the limit. It never sees frame
/// headers or masks: the reader unmasks and hands it payload. A mutable struct held by the reader;
/// a method that returns false has set <see cref="FailureCode"/> and <see cref="FailureReason"/>.
/// </summary>
internal struct MessageAssembly
{
    private readonly long _maxMessageBytes;
    private WebSocketOpcode _opcode;
    private long _length;
    private Utf8StreamValidator _utf8;
    private bool _compressed;
    private long _compressedLength;
    private IMessageInflater? _inflater;

    public MessageAssembly(long maxMessageBytes) => _maxMessageBytes = maxMessageBytes;

    /// <summary>Decompressor for RSV1 messages; null leaves RSV1 a protocol error (the header reader's check).</summary>
    public IMessageInflater? Inflater
    {
        readonly get => _inflater;
        set => _inflater = value;
    }

    public readonly WebSocketOpcode Opcode => _opcode;

    /// <summary>Whether the message arrived compressed (its first frame had RSV1).</summary>
    public readonly bool Compressed => _compressed;

    public ushort FailureCode { readonly get; private set; }

    public string? FailureReason { readonly get; private set; }

    /// <summary>Starts a message with its first frame's opcode and RSV1 bit.</summary>
    public void Begin(WebSocketOpcode opcode, bool compressed)
    {
        _opcode = opcode;
        _length = 0;
        _utf8.Reset();
        _compressed = compressed;
        _compressedLength = 0;
    }

    /// <summary>Forgets the open message (a reader reset or a failure).</summary>
    public void Reset()
    {
        _length = 0;
        _utf8.Reset();
        _compressed = false;
        _inflater?.Reset();
        FailureCode = 0;
        FailureReason = null;
    }

    /// <summary>Accounts a frame's payload length against the limit before its payload is read.</summary>
    public bool AddFrame(long payloadLength)
    {
        if (_compressed)
        {
            // The limit applies to the decompressed bytes (checked as they come out); the
            // compressed ones only need a bound: DEFLATE never grows data by more than a few
            // bytes per 64 KiB stored block.
            if (payloadLength > CompressedLimit - _compressedLength)
            {
                return Fail(WebSocketCloseCodes.MessageTooBig, "message too big");
            }

            _compressedLength += payloadLength;
            return true;
        }

        if (payloadLength > _maxMessageBytes - _length)
        {
            return Fail(WebSocketCloseCodes.MessageTooBig, "message too big");
        }

        _length += payloadLength;
        return true;
    }

    /// <summary>
    /// Unmasks <paramref name="source"/> (when <paramref name="masked"/>) into whatever memory the
    /// sink offers (no size hint, so a pipe never allocates an oversized block for a large
    /// segment), decompressing and validating text as it goes.
    /// </summary>
    public bool Write(ReadOnlySpan<byte> source, IBufferWriter<byte> sink, bool masked, uint maskKey, ref int maskIndex)
    {
        if (_compressed)
        {
            return WriteCompressed(source, sink, masked, maskKey, ref maskIndex);
        }

        while (!source.IsEmpty)
        {
            var destination = sink.GetSpan();
            var count = Math.Min(destination.Length, source.Length);
            destination = destination[..count];
            if (masked)
            {
                maskIndex = WebSocketMask.ApplyTo(source[..count], destination, maskKey, maskIndex);
            }
            else
            {
                source[..count].CopyTo(destination);
            }

            if (_opcode == WebSocketOpcode.Text && !_utf8.TryAppend(destination, isFinal: false))
            {
                return Fail(WebSocketCloseCodes.InvalidPayloadData, "invalid UTF-8");
            }

            sink.Advance(count);
            source = source[count..];
        }

        return true;
    }

    /// <summary>Ends the message after its final frame: flushes the decompressor and checks the text's last code point.</summary>
    public bool Complete(IBufferWriter<byte> sink)
    {
        if (_compressed)
        {
            // RFC 7692 §7.2.2: append 0x00 0x00 0xff 0xff to the payload, then decompress.
            ReadOnlySpan<byte> tail = [0x00, 0x00, 0xFF, 0xFF];
            var complete = Inflate(tail, sink);
            _inflater!.Reset();
            if (!complete)
            {
                return false;
            }
        }

        if (_opcode == WebSocketOpcode.Text && !_utf8.TryAppend(default, isFinal: true))
        {
            return Fail(WebSocketCloseCodes.InvalidPayloadData, "invalid UTF-8");
        }

        return true;
    }

    /// <summary>Records a failure found by the reader itself (framing, control frames).</summary>
    public bool Fail(ushort code, string reason)
    {
        if (_compressed)
        {
            _inflater?.Reset();
        }

        FailureCode = code;
        FailureReason = reason;
        return false;
    }

    /// <summary>Largest compressed size of a message: the limit plus DEFLATE's worst-case growth.</summary>
    private readonly long CompressedLimit
    {
        get
        {
            var growth = (_maxMessageBytes >> 8) + 64;
            return _maxMessageBytes > long.MaxValue - growth ? long.MaxValue : _maxMessageBytes + growth;
        }
    }

    /// <summary>Unmasks compressed payload in small chunks and decompresses each into the sink.</summary>
    private bool WriteCompressed(ReadOnlySpan<byte> source, IBufferWriter<byte> sink, bool masked, uint maskKey, ref int maskIndex)
    {
        Span<byte> chunk = stackalloc byte[512];
        while (!source.IsEmpty)
        {
            var count = Math.Min(chunk.Length, source.Length);
            if (masked)
            {
                maskIndex = WebSocketMask.ApplyTo(source[..count], chunk, maskKey, maskIndex);
            }
            else
            {
                source[..count].CopyTo(chunk);
            }

            if (!Inflate(chunk[..count], sink))
            {
                return false;
            }

            source = source[count..];
        }

        return true;
    }

    /// <summary>
    /// Decompresses into whatever memory the sink offers, never more than one byte past the
    /// message limit, validating text as it comes out.
    /// </summary>
    private bool Inflate(ReadOnlySpan<byte> input, IBufferWriter<byte> sink)
    {
        while (true)
        {
            var allowed = _maxMessageBytes - _length;
            var destination = sink.GetSpan();
            if (destination.Length > allowed + 1)
            {
                destination = destination[..(int)(allowed + 1)];
            }

            if (!_inflater!.Inflate(input, destination, out var consumed, out var written))
            {
                return Fail(WebSocketCloseCodes.InvalidPayloadData, "invalid compressed data");
            }

            // Text is validated up to the limit before the limit is enforced, so the error a
            // client gets is the one earliest in the message, however its frames were split
            // (found by the websocket-deflate fuzz target: 1007 and 1009 swapped with the split).
            var withinLimit = (int)Math.Min(written, allowed);
            if (_opcode == WebSocketOpcode.Text && !_utf8.TryAppend(destination[..withinLimit], isFinal: false))
            {
                return Fail(WebSocketCloseCodes.InvalidPayloadData, "invalid UTF-8");
            }

            if (written > allowed)
            {
                return Fail(WebSocketCloseCodes.MessageTooBig, "message too big");
            }

            sink.Advance(written);
            _length += written;
            input = input[consumed..];
            if ((input.IsEmpty && written < destination.Length) || (consumed == 0 && written == 0))
            {
                return true;
            }
        }
    }
}
