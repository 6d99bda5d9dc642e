using PipeChat.Server.Buffers;

namespace PipeChat.Server.Connections;

/// <summary>
/// Frames taken from one connection's queue for a single gather send: the shared frames are
/// referenced, not copied, and released once the socket has taken them. Pooled across
/// connections, so only a connection that is sending holds one.
/// </summary>
internal sealed class FrameBatch
{
    public const int MaxFrames = 64;
    public const int MaxBytes = 256 * 1024;
    private static readonly BoundedPool<FrameBatch> s_pool = new(256);

    private readonly SharedFrame[] _frames = new SharedFrame[MaxFrames];
    private readonly List<ArraySegment<byte>> _segments = new(MaxFrames);

    public int Count { get; private set; }

    public int Bytes { get; private set; }

    public bool IsFull => Count == MaxFrames || Bytes >= MaxBytes;

    public IList<ArraySegment<byte>> Segments => _segments;

    /// <summary>The first frame; null when the batch starts with <see cref="AddBytes"/>.</summary>
    public SharedFrame? First => _frames[0];

    /// <summary>Bytes added with <see cref="AddBytes"/> (not frames).</summary>
    public int OtherBytes { get; private set; }

    public static FrameBatch Rent()
    {
        return s_pool.TryRent(out var batch) ? batch : new FrameBatch();
    }

    /// <summary>Takes over the caller's reference to <paramref name="frame"/>.</summary>
    public void Add(SharedFrame frame)
    {
        var segment = frame.FrameSegment;
        _frames[Count++] = frame;
        _segments.Add(segment);
        Bytes += segment.Count;
    }

    /// <summary>Adds bytes that are not a frame (the HTTP upgrade response, sent with the first frames); the caller keeps them alive until the send completes.</summary>
    public void AddBytes(ArraySegment<byte> bytes)
    {
        _frames[Count++] = null!;
        _segments.Add(bytes);
        Bytes += bytes.Count;
        OtherBytes += bytes.Count;
    }

    /// <summary>Drops the references to every frame in the batch and empties it.</summary>
    public void ReleaseFrames()
    {
        for (var i = 0; i < Count; i++)
        {
            _frames[i]?.Release();
            _frames[i] = null!;
        }

        _segments.Clear();
        Count = 0;
        Bytes = 0;
        OtherBytes = 0;
    }

    public void Return()
    {
        ReleaseFrames();
        s_pool.Return(this);
    }
}
