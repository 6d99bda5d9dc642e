using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using PipeChat.Protocol.Framing;

namespace PipeChat.LoadTest.Client;

/// <summary>
/// permessage-deflate decompression for the load client (the server always answers with
/// server_no_context_takeover, so each message decompresses alone). Native zlib state comes from
/// a process-wide pool for the duration of one message, so thousands of idle client connections
/// hold none. Uses the runtime's own zlib shim (libSystem.IO.Compression.Native), like the server.
/// </summary>
internal sealed unsafe partial class ClientInflater : IMessageInflater
{
    private const string Library = "libSystem.IO.Compression.Native";
    private const int WindowBits = -15;
    private static readonly ConcurrentQueue<nint> s_pool = new();

    private ZStream* _stream;
    private bool _finished;

    public bool Inflate(ReadOnlySpan<byte> input, Span<byte> output, out int consumed, out int written)
    {
        if (_finished)
        {
            consumed = input.Length;
            written = 0;
            return true;
        }

        if (_stream is null)
        {
            _stream = Rent();
        }

        fixed (byte* inPtr = input)
        fixed (byte* outPtr = output)
        {
            _stream->NextIn = inPtr;
            _stream->AvailIn = (uint)input.Length;
            _stream->NextOut = outPtr;
            _stream->AvailOut = (uint)output.Length;
            var result = InflateNative(_stream, 2); // Z_SYNC_FLUSH
            consumed = input.Length - (int)_stream->AvailIn;
            written = output.Length - (int)_stream->AvailOut;
            _stream->NextIn = _stream->NextOut = null;
            switch (result)
            {
                case 0 or -5: // Z_OK, Z_BUF_ERROR (no progress possible)
                    return true;
                case 1: // Z_STREAM_END: a final block; anything after it is ignored
                    _finished = true;
                    consumed = input.Length;
                    return true;
                default:
                    return false;
            }
        }
    }

    public void Reset()
    {
        _finished = false;
        if (_stream is null)
        {
            return;
        }

        var stream = _stream;
        _stream = null;
        if (InflateReset2(stream, WindowBits) == 0)
        {
            s_pool.Enqueue((nint)stream);
        }
        else
        {
            InflateEnd(stream);
            NativeMemory.Free(stream);
        }
    }

    private static ZStream* Rent()
    {
        if (s_pool.TryDequeue(out var pooled))
        {
            return (ZStream*)pooled;
        }

        var stream = (ZStream*)NativeMemory.AllocZeroed((nuint)sizeof(ZStream));
        if (InflateInit2(stream, WindowBits) != 0)
        {
            NativeMemory.Free(stream);
            throw new InvalidOperationException("zlib inflateInit2 failed");
        }

        return stream;
    }

    [LibraryImport(Library, EntryPoint = "CompressionNative_InflateInit2_")]
    private static partial int InflateInit2(ZStream* stream, int windowBits);

    [LibraryImport(Library, EntryPoint = "CompressionNative_Inflate")]
    private static partial int InflateNative(ZStream* stream, int flush);

    [LibraryImport(Library, EntryPoint = "CompressionNative_InflateReset2_")]
    private static partial int InflateReset2(ZStream* stream, int windowBits);

    [LibraryImport(Library, EntryPoint = "CompressionNative_InflateEnd")]
    private static partial int InflateEnd(ZStream* stream);

    /// <summary>The shim's PAL_ZStream.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct ZStream
    {
        public byte* NextIn;
        public byte* NextOut;
        public nint Message;
        public nint InternalState;
        public uint AvailIn;
        public uint AvailOut;
    }
}
