using System.Buffers;
using PipeChat.Protocol.Framing;

namespace PipeChat.Protocol.Tests.Framing;

/// <summary>Builds frames for tests with our writer (header only, or whole frames).</summary>
internal static class Frames
{
    public const uint Key = 0x3D21FA37; // wire bytes 37 FA 21 3D, the key of RFC 6455 §5.7

    public static byte[] Masked(WebSocketOpcode opcode, ReadOnlySpan<byte> payload, bool fin = true, uint key = Key)
    {
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.WriteMaskedFrame(output, opcode, payload, key, fin);
        return output.WrittenSpan.ToArray();
    }

    public static byte[] Unmasked(WebSocketOpcode opcode, ReadOnlySpan<byte> payload, bool fin = true)
    {
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.WriteFrame(output, opcode, payload, fin);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>A masked frame with arbitrary first byte (RSV bits, reserved opcodes).</summary>
    public static byte[] MaskedRaw(byte firstByte, ReadOnlySpan<byte> payload)
    {
        var frame = Masked(WebSocketOpcode.Binary, payload);
        frame[0] = firstByte;
        return frame;
    }

    public static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];
}
