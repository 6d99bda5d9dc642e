using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace PipeChat.Protocol.Framing;

/// <summary>Vectorized, resumable XOR masking (RFC 6455 §5.3).</summary>
public static class WebSocketMask
{
    /// <summary>Masks or unmasks <paramref name="data"/> in place, starting at key offset <paramref name="maskIndex"/> (0–3).</summary>
    /// <returns>The key offset for the byte after <paramref name="data"/>.</returns>
    public static int Apply(Span<byte> data, uint maskKey, int maskIndex) => ApplyTo(data, data, maskKey, maskIndex);

    /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/> while masking; same return as <see cref="Apply"/>.</summary>
    public static int ApplyTo(ReadOnlySpan<byte> source, Span<byte> destination, uint maskKey, int maskIndex)
    {
        if (destination.Length < source.Length)
        {
            ThrowDestinationTooShort();
        }

        var length = (nuint)source.Length;
        if (length == 0)
        {
            return maskIndex & 3;
        }

        // "j = i MOD 4; transformed-octet-i = original-octet-i XOR masking-key-octet-j" (§5.3).
        // Rotating the key so that its byte 0 is key[maskIndex] lets every block start at index 0.
        var rotated = BitOperations.RotateRight(maskKey, (maskIndex & 3) * 8);
        var rotatedNative = BitConverter.IsLittleEndian ? rotated : BinaryPrimitives.ReverseEndianness(rotated);

        ref var src = ref MemoryMarshal.GetReference(source);
        ref var dst = ref MemoryMarshal.GetReference(destination);
        nuint i = 0;

        // Each block is read before it is written, so source and destination may be the same memory.
        if (Vector256.IsHardwareAccelerated && length >= (nuint)Vector256<byte>.Count)
        {
            var mask = Vector256.Create(rotatedNative).AsByte();
            var last = length - (nuint)Vector256<byte>.Count;
            for (; i <= last; i += (nuint)Vector256<byte>.Count)
            {
                (Vector256.LoadUnsafe(ref src, i) ^ mask).StoreUnsafe(ref dst, i);
            }
        }

        if (Vector128.IsHardwareAccelerated && length - i >= (nuint)Vector128<byte>.Count)
        {
            var mask = Vector128.Create(rotatedNative).AsByte();
            var last = length - (nuint)Vector128<byte>.Count;
            for (; i <= last; i += (nuint)Vector128<byte>.Count)
            {
                (Vector128.LoadUnsafe(ref src, i) ^ mask).StoreUnsafe(ref dst, i);
            }
        }

        for (; i + 4 <= length; i += 4)
        {
            var value = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref src, i)) ^ rotatedNative;
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, i), value);
        }

        for (var k = 0; i < length; i++, k++)
        {
            Unsafe.Add(ref dst, i) = (byte)(Unsafe.Add(ref src, i) ^ (byte)(rotated >> (8 * k)));
        }

        return (int)(((nuint)maskIndex + length) & 3);
    }

    private static void ThrowDestinationTooShort()
        => throw new ArgumentException("Destination is shorter than source.", "destination");
}
