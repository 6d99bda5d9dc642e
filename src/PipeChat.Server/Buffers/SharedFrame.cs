using System.Buffers;
using System.Diagnostics;
using PipeChat.Protocol.Chat;
using PipeChat.Protocol.Framing;

namespace PipeChat.Server.Buffers;

/// <summary>
/// One complete, unmasked server WebSocket frame in a pooled buffer, shared by reference count
/// by every recipient's outbound queue. Written once through <see cref="IBufferWriter{T}"/>
/// (the payload), then <see cref="Seal"/> puts the header in front of it; from then on it is
/// read-only. The last <see cref="Release"/> returns the buffer and the object to their pools.
/// A frame may carry one twin: another sealed frame derived from it on demand (the compressed form
/// for permessage-deflate recipients, see <c>Compression.DeflateTwin</c>), built once by the first
/// caller that claims the slot and shared by every later one; the twin lives as long as the frame.
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

    // Twin slot: TwinNone, TwinBuilding, TwinBuilt (in _twin) or TwinNotWorthIt.
    private int _twinState;
    private SharedFrame? _twin;

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

    /// <summary>A room message's priority (docs/protocol.md): what a member that falls behind skips first. Normal unless set.</summary>
    public MessagePriority Priority { get; set; }

    /// <summary>A room message's seq once stamped (0: not a numbered room message, e.g. presence); named in <c>skipped</c> events.</summary>
    public long Seq { get; set; }

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
        frame._twinState = TwinNone;
        frame._twin = null;
        frame.Priority = MessagePriority.Normal;
        frame.Seq = 0;
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

    /// <summary>No twin yet and nobody building one.</summary>
    internal const int TwinNone = 0;

    /// <summary>One caller claimed the slot and is building the twin.</summary>
    internal const int TwinBuilding = 1;

    /// <summary>The twin is built and readable through <see cref="Twin"/>.</summary>
    internal const int TwinBuilt = 2;

    /// <summary>The builder found no twin worth having (e.g. compression did not pay).</summary>
    internal const int TwinNotWorthIt = 3;

    /// <summary>The twin slot's state (acquire read): one of the Twin* constants.</summary>
    internal int TwinState => Volatile.Read(ref _twinState);

    /// <summary>The built twin; valid once <see cref="TwinState"/> reads <see cref="TwinBuilt"/>.</summary>
    internal SharedFrame? Twin => _twin;

    /// <summary>The sealed frame's opcode.</summary>
    internal WebSocketOpcode Opcode
    {
        get
        {
            Debug.Assert(_sealed);
            return (WebSocketOpcode)(_buffer[_start] & 0x0F);
        }
    }

    /// <summary>Claims the empty twin slot for building; false when another caller claimed it first.</summary>
    internal bool TryClaimTwin() => Interlocked.CompareExchange(ref _twinState, TwinBuilding, TwinNone) == TwinNone;

    /// <summary>
    /// After <see cref="TryClaimTwin"/>: stores the twin (this frame then owns its reference and
    /// releases it with its own last reference), or null for "not worth it".
    /// </summary>
    internal void PublishTwin(SharedFrame? twin)
    {
        Debug.Assert(Volatile.Read(ref _twinState) == TwinBuilding);
        _twin = twin;
        Volatile.Write(ref _twinState, twin is null ? TwinNotWorthIt : TwinBuilt);
    }

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
        if (_twin is { } twin)
        {
            _twin = null;
            twin.Release();
        }

        _twinState = TwinNone;
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
