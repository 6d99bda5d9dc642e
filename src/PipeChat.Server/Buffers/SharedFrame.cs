using System.Buffers;
using System.Diagnostics;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Compression;

namespace PipeChat.Server.Buffers;

/// <summary>
/// One complete, unmasked server WebSocket frame in a pooled buffer, shared by reference count
/// by every recipient's outbound queue. Written once through <see cref="IBufferWriter{T}"/>
/// (the payload), then <see cref="Seal"/> puts the header in front of it; from then on it is
/// read-only. The last <see cref="Release"/> returns the buffer and the object to their pools.
/// A data frame may carry a compressed twin (permessage-deflate, RSV1 set), built the first time a
/// recipient that negotiated the extension asks for it and then shared by all such recipients;
/// the twin lives as long as the frame.
/// </summary>
public sealed class SharedFrame : IBufferWriter<byte>
{
    /// <summary>Room kept in front of the payload for the longest unmasked header.</summary>
    private const int HeaderReserve = 10;
    private static readonly BoundedPool<SharedFrame> s_pool = new(4096);

    private byte[] _buffer = [];
    private int _payloadLength;
    private int _payloadOffset = HeaderReserve;
    private int _start;
    private int _refCount;
    private bool _sealed;

    // Compressed twin: 0 not tried, 1 building, 2 built (in _compressed), 3 not worth it.
    private int _compressState;
    private SharedFrame? _compressed;

    private SharedFrame()
    {
    }

    /// <summary>Bytes on the wire (header + payload); valid once sealed.</summary>
    public ReadOnlyMemory<byte> Frame => _buffer.AsMemory(_start, _payloadOffset - _start + _payloadLength);

    /// <summary>The frame's bytes as an array segment, for gather sends (valid while a reference is held).</summary>
    internal ArraySegment<byte> FrameSegment => new(_buffer, _start, _payloadOffset - _start + _payloadLength);

    /// <summary>The payload written so far.</summary>
    public ReadOnlySpan<byte> Payload => _buffer.AsSpan(_payloadOffset, _payloadLength);

    /// <summary>The payload as memory (valid while a reference is held).</summary>
    public ReadOnlyMemory<byte> PayloadMemory => _buffer.AsMemory(_payloadOffset, _payloadLength);

    public int PayloadLength => _payloadLength;

    /// <summary>
    /// Before sealing: replaces the blank slot of <paramref name="slotWidth"/> bytes at
    /// <paramref name="slotOffset"/> in the payload with <paramref name="replacement"/> (no longer
    /// than the slot) by moving the bytes before the slot right, so the payload stays compact.
    /// Used by a room's outbox to stamp the seq, known only at publish time.
    /// </summary>
    internal void FillSlot(int slotOffset, int slotWidth, ReadOnlySpan<byte> replacement)
    {
        Debug.Assert(!_sealed && replacement.Length <= slotWidth && slotOffset + slotWidth <= _payloadLength);
        var shift = slotWidth - replacement.Length;
        var payload = _buffer.AsSpan(_payloadOffset, _payloadLength);
        payload[..slotOffset].CopyTo(payload[shift..]);
        replacement.CopyTo(payload[(shift + slotOffset)..]);
        _payloadOffset += shift;
        _payloadLength -= shift;
    }

    /// <summary>Takes a frame from the pool with one reference held by the caller.</summary>
    public static SharedFrame Rent(int payloadSizeHint = 256)
    {
        if (!s_pool.TryRent(out var frame))
        {
            frame = new SharedFrame();
        }

        frame._buffer = ArrayPool<byte>.Shared.Rent(HeaderReserve + Math.Max(payloadSizeHint, 16));
        frame._payloadLength = 0;
        frame._payloadOffset = HeaderReserve;
        frame._start = HeaderReserve;
        frame._sealed = false;
        frame._refCount = 1;
        frame._compressState = 0;
        frame._compressed = null;
        return frame;
    }

    /// <summary>Builds a sealed frame around a payload (copying it once).</summary>
    public static SharedFrame Create(WebSocketOpcode opcode, ReadOnlySpan<byte> payload)
    {
        var frame = Rent(payload.Length);
        payload.CopyTo(frame.GetSpan(payload.Length));
        frame.Advance(payload.Length);
        frame.Seal(opcode);
        return frame;
    }

    /// <summary>Writes the frame header in front of the payload. After this the frame is immutable.</summary>
    public void Seal(WebSocketOpcode opcode) => Seal(opcode, compressed: false);

    /// <summary>Writes the header; <paramref name="compressed"/> sets RSV1 (a permessage-deflate payload).</summary>
    internal void Seal(WebSocketOpcode opcode, bool compressed)
    {
        Debug.Assert(!_sealed);
        var headerLength = FrameWriter.GetHeaderLength(_payloadLength, masked: false);
        _start = _payloadOffset - headerLength;
        FrameWriter.WriteHeader(_buffer.AsSpan(_start, headerLength), opcode, fin: true, _payloadLength, masked: false, maskKey: 0);
        if (compressed)
        {
            _buffer[_start] |= 0x40;
        }

        _sealed = true;
    }

    /// <summary>
    /// The frame to send to a recipient that negotiated permessage-deflate: the compressed twin
    /// for a data frame of at least the threshold (built on first call, once), otherwise this
    /// frame. <paramref name="maxWindowBits"/> is the largest window the recipient accepts; the
    /// twin (made with the codec's window) suits it when the payload fits in that window, since
    /// no back-reference can then reach further. While another thread builds the twin, or when
    /// compression does not pay, the plain frame goes out: RSV1 is per message.
    /// </summary>
    internal SharedFrame ForDeflateRecipient(DeflateCodec codec, int maxWindowBits)
    {
        Debug.Assert(_sealed);
        var state = Volatile.Read(ref _compressState);
        if (state == 2)
        {
            return FitsWindow(maxWindowBits, codec) ? _compressed! : this;
        }

        if (state != 0 || _payloadLength < codec.ThresholdBytes || (_buffer[_start] & 0x08) != 0 || !FitsWindow(maxWindowBits, codec))
        {
            return this;
        }

        if (Interlocked.CompareExchange(ref _compressState, 1, 0) != 0)
        {
            return Volatile.Read(ref _compressState) == 2 ? _compressed! : this;
        }

        var twin = codec.Compress(Payload, (WebSocketOpcode)(_buffer[_start] & 0x0F));
        _compressed = twin;
        Volatile.Write(ref _compressState, twin is null ? 3 : 2);
        return twin ?? this;
    }

    private bool FitsWindow(int maxWindowBits, DeflateCodec codec)
        => maxWindowBits >= codec.WindowBits || _payloadLength <= 1 << maxWindowBits;

    /// <summary>References held now (tests and diagnostics).</summary>
    internal int ReferenceCount => Volatile.Read(ref _refCount);

    /// <summary>Adds a reference for one more holder (e.g. a recipient's queue).</summary>
    public void AddReference() => Interlocked.Increment(ref _refCount);

    /// <summary>Drops one reference; the last one returns the buffers to their pools.</summary>
    public void Release()
    {
        var remaining = Interlocked.Decrement(ref _refCount);
        if (remaining > 0)
        {
            return;
        }

        Debug.Assert(remaining == 0, "SharedFrame released more often than referenced");
        if (_compressed is { } twin)
        {
            _compressed = null;
            twin.Release();
        }

        _compressState = 0;
        var buffer = _buffer;
        _buffer = [];
        ArrayPool<byte>.Shared.Return(buffer);
        s_pool.Return(this);
    }

    public void Advance(int count)
    {
        Debug.Assert(!_sealed && count >= 0 && HeaderReserve + _payloadLength + count <= _buffer.Length);
        _payloadLength += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(HeaderReserve + _payloadLength);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(HeaderReserve + _payloadLength);
    }

    private void Ensure(int sizeHint)
    {
        Debug.Assert(!_sealed);
        var needed = HeaderReserve + _payloadLength + Math.Max(sizeHint, 1);
        if (needed <= _buffer.Length)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
        _buffer.AsSpan(0, HeaderReserve + _payloadLength).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
