namespace PipeChat.LoadTest.Client;

/// <summary>
/// Receive buffers carved out of pinned slabs (one pinned-heap allocation per
/// <see cref="BuffersPerSlab"/> connections instead of one per connection): a ramp of thousands of
/// connections otherwise spent a tenth of the load tool's CPU allocating 8 KiB pinned arrays one by
/// one. A slab is collected once every connection holding a slice of it is gone.
/// </summary>
internal static class ReceiveSlabs
{
    public const int BuffersPerSlab = 64;

    /// <summary>Buffers at least this large get an array of their own.</summary>
    public const int MaxSlabbedBufferBytes = 64 * 1024;

    private static readonly Lock s_lock = new();
    private static byte[]? s_slab;
    private static int s_slabBytes;
    private static int s_next;

    /// <summary>A buffer of <paramref name="bytes"/> bytes: the array and the offset of the slice in it.</summary>
    public static (byte[] Array, int Offset) Rent(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 1);
        if (bytes >= MaxSlabbedBufferBytes)
        {
            return (GC.AllocateUninitializedArray<byte>(bytes, pinned: true), 0);
        }

        lock (s_lock)
        {
            if (s_slab is null || s_slabBytes != bytes || s_next == BuffersPerSlab)
            {
                s_slab = GC.AllocateUninitializedArray<byte>(bytes * BuffersPerSlab, pinned: true);
                s_slabBytes = bytes;
                s_next = 0;
            }

            return (s_slab, bytes * s_next++);
        }
    }
}
