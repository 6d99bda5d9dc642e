using System.Text;
using PipeChat.Protocol.Text;

namespace PipeChat.Protocol.Tests.Text;

public class Utf8StreamValidatorTests
{
    private static readonly UTF8Encoding s_strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // Bytes at every class boundary that matters for UTF-8 validity.
    private static readonly byte[] s_interesting =
        [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF4, 0xF5, 0xFF];

    // The fourth byte only needs its class: ASCII, low/high continuation, lead, invalid.
    private static readonly byte[] s_fourth = [0x41, 0x80, 0xBF, 0xC2, 0xFF];

    private static bool Oracle(ReadOnlySpan<byte> bytes)
    {
        try
        {
            s_strict.GetCharCount(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>Whether some 0–3 byte continuation makes the bytes valid (the BCL decides).</summary>
    private static bool CanBeCompleted(ReadOnlySpan<byte> bytes)
    {
        Span<byte> buffer = stackalloc byte[bytes.Length + 3];
        bytes.CopyTo(buffer);
        ReadOnlySpan<byte> tails = [0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF];
        if (System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return true;
        }

        foreach (var a in tails)
        {
            buffer[bytes.Length] = a;
            if (System.Text.Unicode.Utf8.IsValid(buffer[..(bytes.Length + 1)]))
            {
                return true;
            }

            foreach (var b in tails)
            {
                buffer[bytes.Length + 1] = b;
                if (System.Text.Unicode.Utf8.IsValid(buffer[..(bytes.Length + 2)]))
                {
                    return true;
                }

                buffer[bytes.Length + 2] = 0x80;
                if (System.Text.Unicode.Utf8.IsValid(buffer[..(bytes.Length + 3)]))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool ValidateWhole(ReadOnlySpan<byte> bytes)
    {
        var validator = default(Utf8StreamValidator);
        return validator.TryAppend(bytes, isFinal: true);
    }

    private static bool ValidateSplit(ReadOnlySpan<byte> bytes, int at)
    {
        var validator = default(Utf8StreamValidator);
        return validator.TryAppend(bytes[..at], isFinal: false) && validator.TryAppend(bytes[at..], isFinal: true);
    }

    /// <summary>Index of the byte at which byte-by-byte validation failed, or -1 (and the final result).</summary>
    private static (int FailedAt, bool Valid) ValidateBytewise(ReadOnlySpan<byte> bytes)
    {
        var validator = default(Utf8StreamValidator);
        for (var i = 0; i < bytes.Length; i++)
        {
            if (!validator.TryAppend(bytes.Slice(i, 1), isFinal: false))
            {
                return (i, false);
            }
        }

        return (-1, validator.TryAppend([], isFinal: true));
    }

    private static void AssertMatchesOracle(ReadOnlySpan<byte> bytes)
    {
        var expected = Oracle(bytes);
        var hex = Convert.ToHexString(bytes);
        Assert.True(expected == ValidateWhole(bytes), $"whole {hex}");
        for (var at = 0; at <= bytes.Length; at++)
        {
            Assert.True(expected == ValidateSplit(bytes, at), $"split@{at} {hex}");
        }

        var (failedAt, valid) = ValidateBytewise(bytes);
        Assert.True(expected == valid, $"bytewise {hex}");
        if (failedAt >= 0)
        {
            // Fail fast: the first byte-wise failure is exactly where the prefix stops being completable.
            Assert.True(CanBeCompleted(bytes[..failedAt]), $"failed too early at {failedAt}: {hex}");
            Assert.False(CanBeCompleted(bytes[..(failedAt + 1)]), $"failed without cause at {failedAt}: {hex}");
        }
        else if (!valid)
        {
            Assert.True(CanBeCompleted(bytes), $"an impossible prefix was not rejected: {hex}");
        }
    }

    [Fact]
    public void EveryOneAndTwoByteInput_MatchesUtf8Encoding()
    {
        var bytes = new byte[2];
        for (var i = 0; i < 256; i++)
        {
            bytes[0] = (byte)i;
            AssertMatchesOracle(bytes.AsSpan(0, 1));
            for (var j = 0; j < 256; j++)
            {
                bytes[1] = (byte)j;
                AssertMatchesOracle(bytes);
            }
        }
    }

    [Fact]
    public void EveryThreeAndFourByteInputOfBoundaryBytes_MatchesUtf8Encoding()
    {
        var bytes = new byte[4];
        foreach (var a in s_interesting)
        {
            foreach (var b in s_interesting)
            {
                foreach (var c in s_interesting)
                {
                    bytes[0] = a;
                    bytes[1] = b;
                    bytes[2] = c;
                    AssertMatchesOracle(bytes.AsSpan(0, 3));
                    foreach (var d in s_fourth)
                    {
                        bytes[3] = d;
                        AssertMatchesOracle(bytes);
                    }
                }
            }
        }
    }

    [Fact]
    public void EveryThreeByteSequenceWithAThreeByteLead_MatchesUtf8Encoding()
    {
        var bytes = new byte[3];
        for (var a = 0xE0; a <= 0xEF; a++)
        {
            for (var b = 0; b < 256; b++)
            {
                foreach (var c in new[] { 0x7F, 0x80, 0xBF, 0xC0 })
                {
                    bytes[0] = (byte)a;
                    bytes[1] = (byte)b;
                    bytes[2] = (byte)c;
                    Assert.True(Oracle(bytes) == ValidateWhole(bytes), Convert.ToHexString(bytes));
                }
            }
        }
    }

    [Theory]
    [InlineData("F490", 1)] // above U+10FFFF
    [InlineData("E080", 1)] // overlong 3-byte
    [InlineData("F080", 1)] // overlong 4-byte
    [InlineData("EDA0", 1)] // surrogate
    [InlineData("C0", 0)]   // overlong 2-byte lead
    [InlineData("C1", 0)]
    [InlineData("F5", 0)]
    [InlineData("FF", 0)]
    [InlineData("80", 0)]   // lone continuation
    [InlineData("E2822A", 2)]
    [InlineData("41C328", 2)]
    public void ImpossiblePrefix_FailsAtTheFirstImpossibleByte(string hex, int failingIndex)
    {
        var bytes = Convert.FromHexString(hex);
        Assert.Equal(failingIndex, ValidateBytewise(bytes).FailedAt);
    }

    [Fact]
    public void IncompleteSequence_PassesUntilFinal()
    {
        var validator = default(Utf8StreamValidator);
        Assert.True(validator.TryAppend([0xF0, 0x9F], isFinal: false));
        Assert.True(validator.TryAppend([0x98], isFinal: false));
        Assert.False(validator.TryAppend([], isFinal: true));
    }

    [Fact]
    public void Reset_ForgetsAPendingSequence()
    {
        var validator = default(Utf8StreamValidator);
        Assert.True(validator.TryAppend([0xE2, 0x82], isFinal: false));
        validator.Reset();
        Assert.True(validator.TryAppend("a"u8, isFinal: true));
    }

    // Autobahn testsuite case 6.x payloads (hex); true = valid.
    [Theory]
    [InlineData("", true)]                                                  // 6.1.1
    [InlineData("48656C6C6F2DC2B540C39FC3B6C3A4C3BCC3A0C3A12D5554462D382121", true)] // 6.2.1 Hello-µ@ßöäüàá-UTF-8!!
    [InlineData("CEBAE1BDB9CF83CEBCCEB5", true)]                            // 6.5.1 κόσμε
    [InlineData("CEBAE1BDB9CF83CEBCCEB5EDA080656469746564", false)]         // 6.3.1 surrogate inside
    [InlineData("CEBAE1BDB9CF83CEBCCEB5F4908080656469746564", false)]       // 6.4.1 > U+10FFFF
    [InlineData("F0908080", true)]                                          // 6.7.x first 4-byte sequence
    [InlineData("F48FBFBF", true)]                                          // 6.7.4 U+10FFFF
    [InlineData("F7BFBFBF", false)]                                         // 6.8.1
    [InlineData("F8888080 80", false)]                                      // 6.8.2 5-byte sequence
    [InlineData("7F", true)]
    [InlineData("DFBF", true)]                                              // 6.9.2
    [InlineData("EFBFBF", true)]                                            // 6.9.3 U+FFFF
    [InlineData("EE8080", true)]                                            // 6.11.x private use
    [InlineData("EFBFBD", true)]                                            // 6.11.5 U+FFFD
    [InlineData("80", false)]                                               // 6.12.1
    [InlineData("BF", false)]
    [InlineData("80BF80BF", false)]
    [InlineData("C020C120", false)]                                         // 6.13.1 lonely start
    [InlineData("E080", false)]                                             // 6.14.x last byte missing
    [InlineData("C0AF", false)]                                             // 6.16.x overlong /
    [InlineData("E080AF", false)]
    [InlineData("F08080AF", false)]
    [InlineData("C1BF", false)]                                             // 6.17.x max overlong
    [InlineData("E09FBF", false)]
    [InlineData("F08FBFBF", false)]
    [InlineData("EDA080", false)]                                           // 6.18.x single surrogates
    [InlineData("EDBFBF", false)]
    [InlineData("EDA080EDB080", false)]                                     // 6.19.x paired surrogates
    [InlineData("EFBFBE", true)]                                            // 6.20.x noncharacters are valid
    [InlineData("F0BFBFBF", true)]
    public void AutobahnCase6_MatchesTheSuite(string hex, bool valid)
    {
        var bytes = Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
        Assert.Equal(valid, ValidateWhole(bytes));
        for (var at = 0; at <= bytes.Length; at++)
        {
            Assert.Equal(valid, ValidateSplit(bytes, at));
        }

        Assert.Equal(valid, ValidateBytewise(bytes).Valid);
    }

    [Fact]
    public void LongMixedText_SplitAtEveryOffset_IsValid()
    {
        var bytes = Encoding.UTF8.GetBytes("Hello 世界 κόσμε 🙂 " + new string('a', 70) + "Ω😀");
        for (var at = 0; at <= bytes.Length; at++)
        {
            Assert.True(ValidateSplit(bytes, at), $"split@{at}");
        }

        Assert.True(ValidateBytewise(bytes).Valid);
    }
}
