using System.Runtime.InteropServices;

namespace PipeChat.Server.Compression;

/// <summary>
/// The zlib entry points of the runtime's own native shim (libSystem.IO.Compression.Native, next
/// to System.IO.Compression.dll in the shared framework), which DeflateStream uses too. Unlike
/// DeflateStream they expose windowBits, flush modes and inflate reset, which permessage-deflate
/// needs. The stream struct mirrors the shim's PAL_ZStream; the shim keeps zlib's own z_stream
/// behind <see cref="ZStream.InternalState"/>, so the struct need not stay pinned between calls.
/// </summary>
internal static unsafe partial class ZlibNative
{
    public const int NoFlush = 0;
    public const int SyncFlush = 2;
    public const int FullFlush = 3;

    public const int Ok = 0;
    public const int StreamEnd = 1;
    public const int BufError = -5;

    /// <summary>The only method zlib has: DEFLATE.</summary>
    public const int Deflated = 8;

    private const string Library = "libSystem.IO.Compression.Native";

    [StructLayout(LayoutKind.Sequential)]
    public struct ZStream
    {
        public byte* NextIn;
        public byte* NextOut;
        public nint Message;
        public nint InternalState;
        public uint AvailIn;
        public uint AvailOut;
    }

    [LibraryImport(Library, EntryPoint = "CompressionNative_DeflateInit2_")]
    public static partial int DeflateInit2(ZStream* stream, int level, int method, int windowBits, int memLevel, int strategy);

    [LibraryImport(Library, EntryPoint = "CompressionNative_Deflate")]
    public static partial int Deflate(ZStream* stream, int flush);

    [LibraryImport(Library, EntryPoint = "CompressionNative_DeflateEnd")]
    public static partial int DeflateEnd(ZStream* stream);

    [LibraryImport(Library, EntryPoint = "CompressionNative_InflateInit2_")]
    public static partial int InflateInit2(ZStream* stream, int windowBits);

    [LibraryImport(Library, EntryPoint = "CompressionNative_Inflate")]
    public static partial int Inflate(ZStream* stream, int flush);

    [LibraryImport(Library, EntryPoint = "CompressionNative_InflateReset2_")]
    public static partial int InflateReset2(ZStream* stream, int windowBits);

    [LibraryImport(Library, EntryPoint = "CompressionNative_InflateEnd")]
    public static partial int InflateEnd(ZStream* stream);
}
