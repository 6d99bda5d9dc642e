using System.Runtime.InteropServices;

namespace PipeChat.Server.Compression;

/// <summary>
/// A raw-DEFLATE compressor reused message after message: each message ends with a full flush,
/// which byte-aligns the output (ending in 00 00 ff ff, stripped per RFC 7692 §7.2.1) and resets
/// the match state, so no message refers back to another (no context takeover) and any recipient
/// can decompress any message alone. Not thread-safe: one user at a time (see <see cref="DeflateCodec"/>).
/// </summary>
internal sealed unsafe class ZlibDeflater : IDisposable
{
    private ZlibNative.ZStream* _stream;

    public ZlibDeflater(int level, int windowBits, int memLevel)
    {
        _stream = (ZlibNative.ZStream*)NativeMemory.AllocZeroed((nuint)sizeof(ZlibNative.ZStream));
        // Negative windowBits: raw DEFLATE, no zlib header or checksum. zlib refuses 8 for raw deflate; 9 is its smallest.
        var result = ZlibNative.DeflateInit2(_stream, level, ZlibNative.Deflated, -Math.Max(windowBits, 9), memLevel, 0);
        if (result != ZlibNative.Ok)
        {
            NativeMemory.Free(_stream);
            _stream = null;
            throw new InvalidOperationException($"zlib deflateInit2 failed ({result})");
        }
    }

    /// <summary>
    /// Compresses one whole message into <paramref name="output"/>. Returns false (and leaves the
    /// compressor ready for the next message) when the result would not be smaller than the input.
    /// </summary>
    public bool TryCompress(ReadOnlySpan<byte> input, Span<byte> output, out int written)
    {
        written = 0;
        fixed (byte* inPtr = input)
        fixed (byte* outPtr = output)
        {
            var stream = _stream;
            stream->NextIn = inPtr;
            stream->AvailIn = (uint)input.Length;
            stream->NextOut = outPtr;
            stream->AvailOut = (uint)output.Length;
            var result = ZlibNative.Deflate(stream, ZlibNative.FullFlush);
            if (result is not (ZlibNative.Ok or ZlibNative.BufError))
            {
                throw new InvalidOperationException($"zlib deflate failed ({result})");
            }

            // With room left the flush is complete and every input byte consumed.
            var complete = stream->AvailOut > 0 && stream->AvailIn == 0;
            if (!complete)
            {
                DrainFlush(stream);
                return false;
            }

            var length = output.Length - (int)stream->AvailOut;
            stream->NextIn = stream->NextOut = null;
            if (length < 4 || !output.Slice(length - 4, 4).SequenceEqual((ReadOnlySpan<byte>)[0x00, 0x00, 0xFF, 0xFF]))
            {
                throw new InvalidOperationException("zlib full flush did not end with an empty stored block");
            }

            written = length - 4;
            return written < input.Length;
        }
    }

    public void Dispose()
    {
        if (_stream is not null)
        {
            ZlibNative.DeflateEnd(_stream);
            NativeMemory.Free(_stream);
            _stream = null;
        }
    }

    /// <summary>The output did not fit: finish the flush into scratch space so the next message starts clean.</summary>
    private static void DrainFlush(ZlibNative.ZStream* stream)
    {
        var scratch = stackalloc byte[4096];
        do
        {
            stream->NextOut = scratch;
            stream->AvailOut = 4096;
            var result = ZlibNative.Deflate(stream, ZlibNative.FullFlush);
            if (result is not (ZlibNative.Ok or ZlibNative.BufError))
            {
                throw new InvalidOperationException($"zlib deflate failed ({result})");
            }
        }
        while (stream->AvailOut == 0 || stream->AvailIn > 0);

        stream->NextIn = stream->NextOut = null;
    }
}
