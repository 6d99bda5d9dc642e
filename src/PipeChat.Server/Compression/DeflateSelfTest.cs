using System.Text;

namespace PipeChat.Server.Compression;

/// <summary>
/// Start-up check of the zlib entry points <see cref="ZlibNative"/> binds (internal exports of the
/// runtime's native shim, with no compatibility promise): one known message goes through the path
/// the server uses — raw DEFLATE with the configured level and window, a full flush whose
/// 00 00 ff ff tail is stripped (RFC 7692 §7.2.1), then the reader's side with the tail put back —
/// twice through the same compressor, so a second message that still referred to the first would
/// fail too. Any missing export, error code or wrong byte is a failure.
/// </summary>
internal static class DeflateSelfTest
{
    /// <summary>A chat-like message long enough to compress and to contain back-references.</summary>
    private static readonly byte[] s_sample = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(
        "{\"type\":\"message\",\"data\":{\"roomid\":\"r1\",\"text\":\"permessage-deflate self-test 自检\"}}", 8)));

    /// <summary>Null when the round trip works; otherwise what went wrong.</summary>
    public static string? Run(int level, int windowBits)
    {
        try
        {
            using var deflater = new ZlibDeflater(level, windowBits, DeflateCodec.MemLevel);
            using var inflater = new ZlibInflater();
            var compressed = new byte[s_sample.Length + 8];
            var restored = new byte[s_sample.Length + 1];
            for (var round = 0; round < 2; round++)
            {
                if (!deflater.TryCompress(s_sample, compressed, out var written))
                {
                    return "the sample message did not compress";
                }

                // What the reader does with a compressed message: put the stripped tail back.
                byte[] input = [.. compressed.AsSpan(0, written), 0x00, 0x00, 0xFF, 0xFF];
                if (!inflater.Inflate(input, restored, out var consumed, out var inflated) || consumed != input.Length)
                {
                    return "zlib inflate rejected the compressed sample";
                }

                if (!restored.AsSpan(0, inflated).SequenceEqual(s_sample))
                {
                    return "the decompressed sample differs from the original";
                }

                if (!inflater.Reset())
                {
                    return "zlib inflateReset2 failed";
                }
            }

            return null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // DllNotFoundException, EntryPointNotFoundException (an export renamed or gone),
            // InvalidOperationException (an init or deflate error code): all mean "do not use it".
            return ex.GetType().Name + ": " + ex.Message;
        }
    }
}
