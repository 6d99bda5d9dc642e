using System.Runtime.InteropServices;

namespace PipeChat.Server.Compression;

/// <summary>
/// A raw-DEFLATE decompressor with a 15-bit window (it reads streams made with any smaller
/// window), reset between messages. zlib allocates its window lazily on first output, so a pooled
/// inflater costs its state plus that window (2^15 bytes). Not thread-safe.
/// </summary>
internal sealed unsafe class ZlibInflater : IDisposable
{
    private const int WindowBits = -15;
    private ZlibNative.ZStream* _stream;
    private bool _finished;

    public ZlibInflater()
    {
        _stream = (ZlibNative.ZStream*)NativeMemory.AllocZeroed((nuint)sizeof(ZlibNative.ZStream));
        var result = ZlibNative.InflateInit2(_stream, WindowBits);
        if (result != ZlibNative.Ok)
        {
            NativeMemory.Free(_stream);
            _stream = null;
            throw new InvalidOperationException($"zlib inflateInit2 failed ({result})");
        }
    }

    /// <summary>See <see cref="Protocol.Framing.IMessageInflater.Inflate"/>.</summary>
    public bool Inflate(ReadOnlySpan<byte> input, Span<byte> output, out int consumed, out int written)
    {
        if (_finished)
        {
            // A final block ended the stream; what follows (the 00 00 ff ff we append) is ignored.
            consumed = input.Length;
            written = 0;
            return true;
        }

        fixed (byte* inPtr = input)
        fixed (byte* outPtr = output)
        {
            var stream = _stream;
            stream->NextIn = inPtr;
            stream->AvailIn = (uint)input.Length;
            stream->NextOut = outPtr;
            stream->AvailOut = (uint)output.Length;
            var result = ZlibNative.Inflate(stream, ZlibNative.SyncFlush);
            consumed = input.Length - (int)stream->AvailIn;
            written = output.Length - (int)stream->AvailOut;
            stream->NextIn = stream->NextOut = null;
            switch (result)
            {
                case ZlibNative.Ok:
                case ZlibNative.BufError: // no progress possible: needs more input or more room
                    return true;
                case ZlibNative.StreamEnd:
                    _finished = true;
                    consumed = input.Length;
                    return true;
                default:
                    return false;
            }
        }
    }

    /// <summary>Forgets the current message; false when zlib refused (the inflater is then not reusable).</summary>
    public bool Reset()
    {
        _finished = false;
        return ZlibNative.InflateReset2(_stream, WindowBits) == ZlibNative.Ok;
    }

    public void Dispose()
    {
        if (_stream is not null)
        {
            ZlibNative.InflateEnd(_stream);
            NativeMemory.Free(_stream);
            _stream = null;
        }
    }
}
