using PipeChat.Protocol.Framing;
using PipeChat.Protocol.Handshake;
using Microsoft.Extensions.Logging;
using PipeChat.Server.Buffers;

namespace PipeChat.Server.Compression;

/// <summary>
/// permessage-deflate for the whole server (exists only when enabled): the negotiation settings,
/// the compression threshold and level, and pools of native compressors and decompressors shared
/// by every connection. Sessions hold none while idle: a compressor is borrowed for the moment a
/// frame is compressed (once per message, whatever the number of recipients), a decompressor for
/// the duration of one incoming compressed message.
/// </summary>
internal sealed class DeflateCodec : IDisposable
{
    /// <summary>zlib's memory level for compression: 8 is its default.</summary>
    internal const int MemLevel = 8;

    private readonly BoundedPool<ZlibDeflater> _deflaters = new(Math.Max(2, Environment.ProcessorCount * 2));
    private readonly BoundedPool<ZlibInflater> _inflaters;
    private long _compressed;
    private long _incompressible;
    private long _inflatersCreated;

    public DeflateCodec(int thresholdBytes, int level, int windowBits, int maxPooledInflaters = 256)
    {
        ThresholdBytes = thresholdBytes;
        Level = level;
        WindowBits = windowBits;
        Settings = new DeflateSettings(windowBits);
        _inflaters = new BoundedPool<ZlibInflater>(maxPooledInflaters);
    }

    /// <summary>
    /// The codec, or null (with a warning naming <c>--permessage-deflate</c>) when the start-up
    /// self-test of the native zlib path fails (<see cref="DeflateSelfTest"/>): the server then
    /// runs without compression instead of failing every connection that negotiates it.
    /// </summary>
    public static DeflateCodec? TryCreate(int thresholdBytes, int level, int windowBits, ILogger logger)
        => TryCreate(thresholdBytes, level, windowBits, logger, DeflateSelfTest.Run);

    /// <summary><see cref="TryCreate(int, int, int, ILogger)"/> with the self-test passed in (tests).</summary>
    internal static DeflateCodec? TryCreate(int thresholdBytes, int level, int windowBits, ILogger logger, Func<int, int, string?> selfTest)
    {
        if (selfTest(level, windowBits) is { } failure)
        {
            CompressionLog.SelfTestFailed(logger, failure);
            return null;
        }

        return new DeflateCodec(thresholdBytes, level, windowBits);
    }

    /// <summary>Payloads shorter than this are sent uncompressed (RSV1 clear).</summary>
    public int ThresholdBytes { get; }

    public int Level { get; }

    /// <summary>The window we compress with (at most what every negotiated client accepts, see <see cref="SharedFrame"/>).</summary>
    public int WindowBits { get; }

    public DeflateSettings Settings { get; }

    /// <summary>Messages compressed so far (each once, however many recipients share it).</summary>
    public long MessagesCompressed => Volatile.Read(ref _compressed);

    /// <summary>Messages tried and sent plain because compression did not make them smaller.</summary>
    public long MessagesIncompressible => Volatile.Read(ref _incompressible);

    /// <summary>Decompressors created (the pool's high-water mark of concurrent compressed messages, plus replacements).</summary>
    public long InflatersCreated => Volatile.Read(ref _inflatersCreated);

    /// <summary>
    /// Compresses a sealed data frame's payload into a new sealed frame with RSV1 set, or returns
    /// null when compression would not make it smaller.
    /// </summary>
    public SharedFrame? Compress(ReadOnlySpan<byte> payload, WebSocketOpcode opcode)
    {
        var deflater = RentDeflater();
        var twin = SharedFrame.Rent(payload.Length + 16);
        var keep = false;
        try
        {
            // Room for the payload plus the flush marker: anything longer is not worth sending.
            var output = twin.GetSpan(payload.Length + 8);
            if (deflater.TryCompress(payload, output[..(payload.Length + 8)], out var written))
            {
                twin.Advance(written);
                twin.Seal(opcode, compressed: true);
                keep = true;
                Interlocked.Increment(ref _compressed);
                return twin;
            }

            Interlocked.Increment(ref _incompressible);
            return null;
        }
        finally
        {
            if (!keep)
            {
                twin.Release();
            }

            ReturnDeflater(deflater);
        }
    }

    /// <summary>A per-connection decompressor handle that borrows native state only while a message is being read.</summary>
    public IMessageInflater CreateSessionInflater() => new SessionInflater(this);

    public void Dispose()
    {
        while (_deflaters.TryRent(out var deflater))
        {
            deflater.Dispose();
        }

        while (_inflaters.TryRent(out var inflater))
        {
            inflater.Dispose();
        }
    }

    private ZlibDeflater RentDeflater()
    {
        return _deflaters.TryRent(out var deflater) ? deflater : new ZlibDeflater(Level, WindowBits, MemLevel);
    }

    private void ReturnDeflater(ZlibDeflater deflater)
    {
        if (!_deflaters.Return(deflater))
        {
            deflater.Dispose();
        }
    }

    private ZlibInflater RentInflater()
    {
        if (_inflaters.TryRent(out var inflater))
        {
            return inflater;
        }

        Interlocked.Increment(ref _inflatersCreated);
        return new ZlibInflater();
    }

    private void ReturnInflater(ZlibInflater inflater)
    {
        if (!inflater.Reset())
        {
            inflater.Dispose();
            return;
        }

        if (!_inflaters.Return(inflater))
        {
            inflater.Dispose();
        }
    }

    /// <summary>
    /// What a session's reader holds: nothing native between messages (client_no_context_takeover
    /// is always negotiated, so no state survives a message).
    /// </summary>
    private sealed class SessionInflater(DeflateCodec codec) : IMessageInflater
    {
        private ZlibInflater? _current;

        public bool Inflate(ReadOnlySpan<byte> input, Span<byte> output, out int consumed, out int written)
        {
            _current ??= codec.RentInflater();
            return _current.Inflate(input, output, out consumed, out written);
        }

        public void Reset()
        {
            if (_current is { } inflater)
            {
                _current = null;
                codec.ReturnInflater(inflater);
            }
        }
    }
}
