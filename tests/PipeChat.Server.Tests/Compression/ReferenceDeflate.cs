using System.IO.Compression;

namespace PipeChat.Server.Tests.Compression;

/// <summary>
/// permessage-deflate payloads made and read with System.IO.Compression.DeflateStream, an
/// implementation independent of the server's (its own zlib calls), as RFC 7692 §7.2 describes:
/// compress, sync-flush, drop the trailing 00 00 ff ff; to read, put it back and decompress.
/// </summary>
internal static class ReferenceDeflate
{
    public static byte[] Compress(ReadOnlySpan<byte> data, CompressionLevel level = CompressionLevel.Optimal)
    {
        using var output = new MemoryStream();
        using var deflate = new DeflateStream(output, level, leaveOpen: true);
        deflate.Write(data);
        deflate.Flush();
        var bytes = output.ToArray();
        Assert.True(bytes.AsSpan().EndsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFF, 0xFF]), "a sync flush ends with an empty stored block");
        return bytes[..^4];
    }

    public static byte[] Decompress(ReadOnlySpan<byte> payload)
    {
        byte[] input = [.. payload, 0x00, 0x00, 0xFF, 0xFF];
        using var deflate = new DeflateStream(new MemoryStream(input), CompressionMode.Decompress);
        using var output = new MemoryStream();
        deflate.CopyTo(output);
        return output.ToArray();
    }
}
