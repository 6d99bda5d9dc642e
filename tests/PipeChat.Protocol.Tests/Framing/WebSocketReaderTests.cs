using System.Text;
using PipeChat.Protocol.Framing;

namespace PipeChat.Protocol.Tests.Framing;

public class WebSocketReaderTests
{
    private static readonly byte[] s_hello = "Hello"u8.ToArray();

    private static void AssertSingleError(byte[] input, bool isServer, ushort expectedCode, long maxMessageBytes = 1 << 20)
    {
        foreach (var (shape, events) in ReadLoop.AllShapes(input, isServer, maxMessageBytes))
        {
            var last = Assert.Single(events, e => e.Result == WebSocketReadResult.Error);
            Assert.True(expectedCode == last.CloseCode, $"{shape}: close code {last.CloseCode}, expected {expectedCode}");
            Assert.False(string.IsNullOrEmpty(last.ErrorReason), shape);
            Assert.Same(last, events[^1]);
        }
    }

    private static void AssertEvents(byte[] input, bool isServer, Action<List<ReadEvent>> check)
    {
        foreach (var (shape, events) in ReadLoop.AllShapes(input, isServer))
        {
            try
            {
                check(events);
            }
            catch (Exception ex)
            {
                throw new Xunit.Sdk.XunitException($"{shape}: {ex.Message}");
            }
        }
    }

    [Fact]
    public void Rfc6455_5_7_MaskedHello_IsOneTextMessage()
    {
        byte[] frame = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
        AssertEvents(frame, isServer: true, events =>
        {
            var e = Assert.Single(events);
            Assert.Equal(WebSocketReadResult.Message, e.Result);
            Assert.Equal(WebSocketOpcode.Text, e.MessageType);
            Assert.Equal(s_hello, e.Data);
        });
    }

    [Fact]
    public void Rfc6455_5_7_UnmaskedHello_IsOneTextMessageOnAClient()
    {
        byte[] frame = [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];
        AssertEvents(frame, isServer: false, events => Assert.Equal(s_hello, Assert.Single(events).Data));
    }

    [Fact]
    public void Rfc6455_5_7_FragmentedUnmaskedText_IsOneMessage()
    {
        byte[] frames = [0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f];
        AssertEvents(frames, isServer: false, events =>
        {
            var e = Assert.Single(events);
            Assert.Equal(WebSocketOpcode.Text, e.MessageType);
            Assert.Equal(s_hello, e.Data);
        });
    }

    [Fact]
    public void Rfc6455_5_7_UnmaskedPingAndMaskedPong_ReportTheirPayloads()
    {
        byte[] ping = [0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];
        AssertEvents(ping, isServer: false, events =>
        {
            var e = Assert.Single(events);
            Assert.Equal(WebSocketReadResult.Ping, e.Result);
            Assert.Equal(s_hello, e.ControlPayload);
        });
        byte[] pong = [0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
        AssertEvents(pong, isServer: true, events =>
        {
            var e = Assert.Single(events);
            Assert.Equal(WebSocketReadResult.Pong, e.Result);
            Assert.Equal(s_hello, e.ControlPayload);
        });
    }

    [Fact]
    public void Rfc6455_5_7_BinaryWith16BitLength_Is256Bytes()
    {
        var payload = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        byte[] frame = [0x82, 0x7E, 0x01, 0x00, .. payload];
        AssertEvents(frame, isServer: false, events =>
        {
            var e = Assert.Single(events);
            Assert.Equal(WebSocketOpcode.Binary, e.MessageType);
            Assert.Equal(payload, e.Data);
        });
    }

    [Fact]
    public void ControlFramesBetweenFragments_AreReportedAndTheMessageStaysWhole()
    {
        var input = Frames.Concat(
            Frames.Masked(WebSocketOpcode.Text, "Hel"u8, fin: false),
            Frames.Masked(WebSocketOpcode.Ping, "p"u8),
            Frames.Masked(WebSocketOpcode.Continuation, ""u8, fin: false),
            Frames.Masked(WebSocketOpcode.Pong, ""u8),
            Frames.Masked(WebSocketOpcode.Continuation, "lo"u8, fin: true));
        AssertEvents(input, isServer: true, events =>
        {
            Assert.Equal([WebSocketReadResult.Ping, WebSocketReadResult.Pong, WebSocketReadResult.Message], events.Select(e => e.Result));
            Assert.Equal("p"u8.ToArray(), events[0].ControlPayload);
            Assert.Empty(events[1].ControlPayload);
            Assert.Equal(s_hello, events[2].Data);
            Assert.Equal(WebSocketOpcode.Text, events[2].MessageType);
        });
    }

    [Fact]
    public void EmptyFinalFrame_CompletesAnEmptyMessage()
    {
        var input = Frames.Concat(Frames.Masked(WebSocketOpcode.Binary, ""u8), Frames.Masked(WebSocketOpcode.Text, ""u8));
        AssertEvents(input, isServer: true, events =>
        {
            Assert.Equal(2, events.Count);
            Assert.All(events, e => Assert.Empty(e.Data));
            Assert.Equal(WebSocketOpcode.Binary, events[0].MessageType);
            Assert.Equal(WebSocketOpcode.Text, events[1].MessageType);
        });
    }

    [Fact]
    public void MessagesBackToBack_AreReportedOneByOne()
    {
        var input = Frames.Concat(
            Frames.Masked(WebSocketOpcode.Text, "a"u8),
            Frames.Masked(WebSocketOpcode.Binary, [1, 2, 3]),
            Frames.Masked(WebSocketOpcode.Close, [0x03, 0xE8, (byte)'b', (byte)'y', (byte)'e']));
        AssertEvents(input, isServer: true, events =>
        {
            Assert.Equal([WebSocketReadResult.Message, WebSocketReadResult.Message, WebSocketReadResult.Close], events.Select(e => e.Result));
            Assert.Equal("a"u8.ToArray(), events[0].Data);
            Assert.Equal(new byte[] { 1, 2, 3 }, events[1].Data);
            Assert.Equal(1000, events[2].CloseCode);
            Assert.Equal("bye"u8.ToArray(), events[2].CloseReason);
        });
    }

    [Fact]
    public void EmptyClose_ReportsNoStatusReceived()
        => AssertEvents(Frames.Masked(WebSocketOpcode.Close, ""u8), isServer: true, events =>
        {
            var e = Assert.Single(events);
            Assert.Equal(WebSocketReadResult.Close, e.Result);
            Assert.Equal(WebSocketCloseCodes.NoStatusReceived, e.CloseCode);
            Assert.Empty(e.CloseReason);
        });

    [Fact]
    public void PartialFrame_IsConsumedAndWrittenToTheSinkBeforeItEnds()
    {
        var frame = Frames.Masked(WebSocketOpcode.Binary, "0123456789"u8);
        var reader = new WebSocketReader(isServer: true, 1024);
        var sink = new System.Buffers.ArrayBufferWriter<byte>();
        var input = new System.Buffers.ReadOnlySequence<byte>(frame, 0, frame.Length - 3);

        var result = reader.Read(input, sink, out var consumed);

        Assert.Equal(WebSocketReadResult.NeedMoreData, result);
        Assert.Equal(input.End, consumed);
        Assert.Equal("0123456"u8.ToArray(), sink.WrittenSpan.ToArray());
        result = reader.Read(new System.Buffers.ReadOnlySequence<byte>(frame, frame.Length - 3, 3), sink, out _);
        Assert.Equal(WebSocketReadResult.Message, result);
        Assert.Equal("0123456789"u8.ToArray(), sink.WrittenSpan.ToArray());
    }

    [Fact]
    public void IncompleteHeader_ConsumesNothing()
    {
        var frame = Frames.Masked(WebSocketOpcode.Binary, new byte[300]);
        var reader = new WebSocketReader(isServer: true, 1024);
        var sink = new System.Buffers.ArrayBufferWriter<byte>();
        var input = new System.Buffers.ReadOnlySequence<byte>(frame, 0, 7);

        Assert.Equal(WebSocketReadResult.NeedMoreData, reader.Read(input, sink, out var consumed));
        Assert.Equal(input.Start, consumed);
        Assert.Equal(0, sink.WrittenCount);
    }

    [Fact]
    public void UnmaskedClientFrame_Is1002()
        => AssertSingleError(Frames.Unmasked(WebSocketOpcode.Text, s_hello), isServer: true, WebSocketCloseCodes.ProtocolError);

    [Fact]
    public void MaskedServerFrame_Is1002OnAClient()
        => AssertSingleError(Frames.Masked(WebSocketOpcode.Text, s_hello), isServer: false, WebSocketCloseCodes.ProtocolError);

    [Theory]
    [InlineData(0xC2)] // RSV1
    [InlineData(0xA2)] // RSV2
    [InlineData(0x92)] // RSV3
    [InlineData(0x83)] // reserved data opcodes 3..7
    [InlineData(0x84)]
    [InlineData(0x85)]
    [InlineData(0x86)]
    [InlineData(0x87)]
    [InlineData(0x8B)] // reserved control opcodes B..F
    [InlineData(0x8C)]
    [InlineData(0x8D)]
    [InlineData(0x8E)]
    [InlineData(0x8F)]
    [InlineData(0x09)] // ping without FIN
    [InlineData(0x08)] // close without FIN
    public void InvalidFirstByte_Is1002(byte firstByte)
        => AssertSingleError(Frames.MaskedRaw(firstByte, "xy"u8), isServer: true, WebSocketCloseCodes.ProtocolError);

    [Fact]
    public void ControlFrameLongerThan125_Is1002()
        => AssertSingleError(Frames.Masked(WebSocketOpcode.Ping, new byte[126]), isServer: true, WebSocketCloseCodes.ProtocolError);

    [Fact]
    public void LengthWithTopBitSet_Is1002()
        => AssertSingleError([0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4], isServer: true, WebSocketCloseCodes.ProtocolError);

    [Fact]
    public void ContinuationWithoutAMessage_Is1002()
        => AssertSingleError(Frames.Masked(WebSocketOpcode.Continuation, s_hello), isServer: true, WebSocketCloseCodes.ProtocolError);

    [Fact]
    public void ContinuationAfterAFinishedMessage_Is1002()
        => AssertSingleError(
            Frames.Concat(Frames.Masked(WebSocketOpcode.Text, s_hello), Frames.Masked(WebSocketOpcode.Continuation, s_hello)),
            isServer: true,
            WebSocketCloseCodes.ProtocolError);

    [Theory]
    [InlineData(WebSocketOpcode.Text)]
    [InlineData(WebSocketOpcode.Binary)]
    public void NewMessageInsideAFragmentedMessage_Is1002(WebSocketOpcode second)
        => AssertSingleError(
            Frames.Concat(Frames.Masked(WebSocketOpcode.Text, "a"u8, fin: false), Frames.Masked(second, "b"u8)),
            isServer: true,
            WebSocketCloseCodes.ProtocolError);

    [Fact]
    public void InvalidUtf8_Is1007()
        => AssertSingleError(Frames.Masked(WebSocketOpcode.Text, [0x41, 0xC0, 0x80]), isServer: true, WebSocketCloseCodes.InvalidPayloadData);

    [Fact]
    public void InvalidUtf8InALaterFragment_Is1007()
        => AssertSingleError(
            Frames.Concat(Frames.Masked(WebSocketOpcode.Text, [0xCE, 0xBA, 0xF4], fin: false), Frames.Masked(WebSocketOpcode.Continuation, [0x90, 0x80, 0x80])),
            isServer: true,
            WebSocketCloseCodes.InvalidPayloadData);

    [Fact]
    public void IncompleteSequenceAtTheEndOfTheMessage_Is1007()
        => AssertSingleError(
            Frames.Concat(Frames.Masked(WebSocketOpcode.Text, "ab"u8, fin: false), Frames.Masked(WebSocketOpcode.Continuation, [0xE2, 0x82])),
            isServer: true,
            WebSocketCloseCodes.InvalidPayloadData);

    [Fact]
    public void InvalidUtf8_FailsBeforeTheFrameIsComplete()
    {
        // 6.4.1-style: the frame claims 100 bytes, only "κ" F4 90 has arrived.
        var frame = Frames.Masked(WebSocketOpcode.Text, [0xCE, 0xBA, 0xF4, 0x90, .. new byte[96]]);
        var headerLength = FrameWriter.GetHeaderLength(100, masked: true);
        var arrived = frame.AsMemory(0, headerLength + 4);

        foreach (var (shape, events) in new[] { ("whole", ReadLoop.Run([arrived], true)), ("byte-per-piece", ReadLoop.Run(ReadLoop.OneBytePieces(arrived.ToArray()), true)) })
        {
            var e = Assert.Single(events);
            Assert.True(e.Result == WebSocketReadResult.Error, shape);
            Assert.Equal(WebSocketCloseCodes.InvalidPayloadData, e.CloseCode);
        }
    }

    [Fact]
    public void BinaryIsNotValidatedAsUtf8()
        => AssertEvents(Frames.Masked(WebSocketOpcode.Binary, [0xC0, 0xFF]), isServer: true, events => Assert.Equal(WebSocketReadResult.Message, Assert.Single(events).Result));

    [Fact]
    public void FrameOverTheLimit_Is1009AtItsHeader()
    {
        var frame = Frames.Masked(WebSocketOpcode.Binary, new byte[101]);
        AssertSingleError(frame, isServer: true, WebSocketCloseCodes.MessageTooBig, maxMessageBytes: 100);
        var events = ReadLoop.Run([frame.AsMemory(0, FrameWriter.GetHeaderLength(101, true))], true, 100);
        Assert.Equal(WebSocketCloseCodes.MessageTooBig, Assert.Single(events).CloseCode);
    }

    [Fact]
    public void FragmentsOverTheLimitTogether_Are1009()
        => AssertSingleError(
            Frames.Concat(Frames.Masked(WebSocketOpcode.Binary, new byte[60], fin: false), Frames.Masked(WebSocketOpcode.Continuation, new byte[41])),
            isServer: true,
            WebSocketCloseCodes.MessageTooBig,
            maxMessageBytes: 100);

    [Fact]
    public void MessageExactlyAtTheLimit_IsAccepted()
        => Assert.Equal(
            WebSocketReadResult.Message,
            Assert.Single(ReadLoop.Run([Frames.Concat(Frames.Masked(WebSocketOpcode.Binary, new byte[60], fin: false), Frames.Masked(WebSocketOpcode.Continuation, new byte[40]))], true, 100)).Result);

    [Fact]
    public void OneByteClosePayload_Is1002()
        => AssertSingleError(Frames.Masked(WebSocketOpcode.Close, [0x03]), isServer: true, WebSocketCloseCodes.ProtocolError);

    [Theory]
    [InlineData(0)]
    [InlineData(999)]
    [InlineData(1004)]
    [InlineData(1005)]
    [InlineData(1006)]
    [InlineData(1015)]
    [InlineData(1016)]
    [InlineData(2999)]
    [InlineData(5000)]
    [InlineData(65535)]
    public void CloseWithInvalidCode_Is1002(int code)
        => AssertSingleError(Frames.Masked(WebSocketOpcode.Close, [(byte)(code >> 8), (byte)code]), isServer: true, WebSocketCloseCodes.ProtocolError);

    [Fact]
    public void CloseReasonNotUtf8_Is1007()
        => AssertSingleError(Frames.Masked(WebSocketOpcode.Close, [0x03, 0xE8, 0xED, 0xA0, 0x80]), isServer: true, WebSocketCloseCodes.InvalidPayloadData);

    [Fact]
    public void Reset_ClearsAnErrorAndAnOpenMessage()
    {
        var reader = new WebSocketReader(isServer: true, 1024);
        var sink = new System.Buffers.ArrayBufferWriter<byte>();
        var start = Frames.Masked(WebSocketOpcode.Text, "a"u8, fin: false);
        Assert.Equal(WebSocketReadResult.NeedMoreData, reader.Read(new(start), sink, out _));
        Assert.True(reader.IsInMessage);
        Assert.Equal(WebSocketReadResult.Error, reader.Read(new(Frames.Unmasked(WebSocketOpcode.Text, "b"u8)), sink, out _));

        reader.Reset();

        Assert.False(reader.IsInMessage);
        Assert.Null(reader.ErrorReason);
        Assert.Equal(WebSocketReadResult.Message, reader.Read(new(Frames.Masked(WebSocketOpcode.Text, "c"u8)), sink, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(125)]
    [InlineData(126)]
    [InlineData(65535)]
    [InlineData(65536)]
    [InlineData(100_000)]
    public void RandomPayloads_OfEveryLengthClass_RoundTrip(int length)
    {
        var random = new Random(length + 17);
        var payload = new byte[length];
        random.NextBytes(payload);
        var key = (uint)random.Next();
        var frame = Frames.Masked(WebSocketOpcode.Binary, payload, key: key);

        // Every split for short frames; for long ones, splits around the header and a spread of offsets.
        var offsets = length <= 300
            ? Enumerable.Range(1, frame.Length - 1)
            : Enumerable.Range(1, 20).Concat(Enumerable.Range(0, 40).Select(i => 1 + (i * 7919 % (frame.Length - 1))));
        foreach (var offset in offsets.Prepend(frame.Length))
        {
            var events = ReadLoop.Run([frame.AsMemory(0, offset), frame.AsMemory(offset)], isServer: true);
            Assert.Equal(payload, Assert.Single(events).Data);
        }

        var text = Encoding.UTF8.GetBytes(new string('é', length / 2));
        var textFrame = Frames.Unmasked(WebSocketOpcode.Text, text);
        var pieces = Enumerable.Range(0, (textFrame.Length + 996) / 997).Select(i => (ReadOnlyMemory<byte>)textFrame.AsMemory(i * 997, Math.Min(997, textFrame.Length - (i * 997)))).ToArray();
        Assert.Equal(text, Assert.Single(ReadLoop.Run(pieces, isServer: false)).Data);
    }

    [Fact]
    public void ShortFrames_OneBytePerPiece_RoundTrip()
    {
        var random = new Random(42);
        var payload = new byte[1000];
        random.NextBytes(payload);
        var frame = Frames.Masked(WebSocketOpcode.Binary, payload, key: 0xDEADBEEF);
        Assert.Equal(payload, Assert.Single(ReadLoop.Run(ReadLoop.OneBytePieces(frame), true)).Data);
    }
    /// <summary>
    /// The control-payload buffer is allocated by the first control frame with a payload: pings,
    /// pongs and closes of every length 0–125, after an empty one and before a longer and a shorter
    /// one, each split at every byte (the buffer is reused, so a shorter payload must not show the
    /// tail of a longer one).
    /// </summary>
    [Theory]
    [InlineData(WebSocketOpcode.Ping)]
    [InlineData(WebSocketOpcode.Pong)]
    [InlineData(WebSocketOpcode.Close)]
    public void ControlPayloadsOfEveryLength_SplitAtEveryByte_AreReportedWhole(WebSocketOpcode opcode)
    {
        var random = new Random(125);
        for (var length = 0; length <= 125; length++)
        {
            var payload = ControlPayload(opcode, length, random);
            var longer = ControlPayload(WebSocketOpcode.Ping, 125, random);
            var shorter = ControlPayload(WebSocketOpcode.Pong, Math.Min(length, 1), random);
            var input = opcode == WebSocketOpcode.Close
                ? Frames.Concat(Frames.Masked(WebSocketOpcode.Ping, default), Frames.Masked(WebSocketOpcode.Ping, longer), Frames.Masked(WebSocketOpcode.Pong, shorter), Frames.Masked(opcode, payload, key: (uint)random.Next()))
                : Frames.Concat(Frames.Masked(WebSocketOpcode.Ping, default), Frames.Masked(opcode, payload, key: (uint)random.Next()), Frames.Masked(WebSocketOpcode.Ping, longer), Frames.Masked(WebSocketOpcode.Pong, shorter));
            AssertEvents(input, isServer: true, events =>
            {
                Assert.Equal(4, events.Count);
                Assert.Equal(WebSocketReadResult.Ping, events[0].Result);
                Assert.Empty(events[0].ControlPayload);
                var (mine, longEvent, shortEvent) = opcode == WebSocketOpcode.Close ? (events[3], events[1], events[2]) : (events[1], events[2], events[3]);
                Assert.Equal(payload, mine.ControlPayload);
                Assert.Equal(longer, longEvent.ControlPayload);
                Assert.Equal(shorter, shortEvent.ControlPayload);
                if (opcode == WebSocketOpcode.Close)
                {
                    Assert.Equal(WebSocketReadResult.Close, mine.Result);
                    Assert.Equal(payload.Length == 0 ? WebSocketCloseCodes.NoStatusReceived : WebSocketCloseCodes.NormalClosure, mine.CloseCode);
                    Assert.Equal(payload.Length <= 2 ? [] : payload[2..], mine.CloseReason);
                }
                else
                {
                    Assert.Equal(opcode == WebSocketOpcode.Ping ? WebSocketReadResult.Ping : WebSocketReadResult.Pong, mine.Result);
                }
            });
        }
    }

    /// <summary>A control payload of the given length: a close carries code 1000 and an ASCII reason.</summary>
    private static byte[] ControlPayload(WebSocketOpcode opcode, int length, Random random)
    {
        var payload = new byte[length];
        if (opcode != WebSocketOpcode.Close)
        {
            random.NextBytes(payload);
            return payload;
        }

        if (length == 1)
        {
            // A one-byte close payload is invalid (1002); use the empty close instead.
            return [];
        }

        for (var i = 2; i < length; i++)
        {
            payload[i] = (byte)('a' + random.Next(26));
        }

        if (length >= 2)
        {
            payload[0] = 0x03;
            payload[1] = 0xE8;
        }

        return payload;
    }
}
