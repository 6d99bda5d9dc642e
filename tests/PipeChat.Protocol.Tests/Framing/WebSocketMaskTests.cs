using PipeChat.Protocol.Framing;

namespace PipeChat.Protocol.Tests.Framing;

public class WebSocketMaskTests
{
    private static byte[] Naive(byte[] data, uint key, int maskIndex)
    {
        var result = new byte[data.Length];
        for (var i = 0; i < data.Length; i++)
        {
            result[i] = (byte)(data[i] ^ (byte)(key >> (8 * ((maskIndex + i) & 3))));
        }

        return result;
    }

    [Fact]
    public void Rfc6455_5_7_Hello_MasksToTheExampleBytes()
    {
        var data = "Hello"u8.ToArray();
        var next = WebSocketMask.Apply(data, Frames.Key, 0);
        Assert.Equal(new byte[] { 0x7f, 0x9f, 0x4d, 0x51, 0x58 }, data);
        Assert.Equal(1, next);
    }

    [Fact]
    public void EveryLengthAndKeyOffset_MatchesTheByteByByteDefinition()
    {
        var random = new Random(7);
        for (var length = 0; length <= 200; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            for (var maskIndex = 0; maskIndex < 4; maskIndex++)
            {
                var expected = Naive(data, 0xA1B2C3D4, maskIndex);
                var copy = new byte[length + 3];
                Assert.Equal((maskIndex + length) & 3, WebSocketMask.ApplyTo(data, copy, 0xA1B2C3D4, maskIndex));
                Assert.Equal(expected, copy[..length]);
                Assert.All(copy[length..], b => Assert.Equal(0, b));

                var inPlace = (byte[])data.Clone();
                Assert.Equal((maskIndex + length) & 3, WebSocketMask.Apply(inPlace, 0xA1B2C3D4, maskIndex));
                Assert.Equal(expected, inPlace);
            }
        }
    }

    [Fact]
    public void ResumingAtEverySplit_MatchesOnePass()
    {
        var random = new Random(11);
        var data = new byte[131];
        random.NextBytes(data);
        var expected = Naive(data, 0x01020304, 0);
        for (var at = 0; at <= data.Length; at++)
        {
            var buffer = (byte[])data.Clone();
            var index = WebSocketMask.Apply(buffer.AsSpan(0, at), 0x01020304, 0);
            WebSocketMask.ApplyTo(buffer.AsSpan(at), buffer.AsSpan(at), 0x01020304, index);
            Assert.Equal(expected, buffer);
        }
    }

    [Fact]
    public void MaskingTwice_RestoresTheData()
    {
        var data = new byte[70_000];
        new Random(3).NextBytes(data);
        var buffer = (byte[])data.Clone();
        WebSocketMask.Apply(buffer, 0xCAFEBABE, 2);
        Assert.NotEqual(data, buffer);
        WebSocketMask.Apply(buffer, 0xCAFEBABE, 2);
        Assert.Equal(data, buffer);
    }

    [Fact]
    public void ShortDestination_Throws()
        => Assert.Throws<ArgumentException>(() => WebSocketMask.ApplyTo(new byte[4], new byte[3], 1, 0));
}
