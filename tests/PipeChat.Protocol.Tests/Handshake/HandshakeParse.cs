using System.Buffers;
using System.Text;
using PipeChat.Protocol.Framing;
using PipeChat.Protocol.Handshake;
using PipeChat.Protocol.Tests.Support;

namespace PipeChat.Protocol.Tests.Handshake;

/// <summary>Everything observable about one TryParse call, as a comparable value.</summary>
internal sealed record ParseOutcome(
    ParseStatus Status,
    HandshakeError Error,
    long End,
    int Length,
    string Path,
    string Query,
    string Host,
    string Origin,
    string Key,
    bool IsWebSocketUpgrade,
    bool HasExtensions,
    bool UpgradeValid,
    HandshakeError UpgradeError);

internal delegate void RequestCheck(HandshakeRequest request);

/// <summary>Feeds requests through <see cref="HandshakeParser"/> in every shape and checks the shapes agree.</summary>
internal static class HandshakeParse
{
    public static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    public static ParseOutcome Once(in ReadOnlySequence<byte> input, int maxRequestBytes, RequestCheck? check = null)
    {
        var scratch = new byte[maxRequestBytes];
        var status = HandshakeParser.TryParse(input, maxRequestBytes, scratch, out var request, out var end, out var error);
        if (status != ParseStatus.Done)
        {
            return new ParseOutcome(status, error, -1, 0, "", "", "", "", "", false, false, false, default);
        }

        check?.Invoke(request);
        var valid = request.TryValidateUpgrade(out var upgradeError);
        return new ParseOutcome(
            status,
            error,
            input.Slice(input.Start, end).Length,
            request.Length,
            Latin1(request.Path),
            Latin1(request.Query),
            Latin1(request.Host),
            Latin1(request.Origin),
            Latin1(request.Key),
            request.IsWebSocketUpgrade,
            request.HasExtensions,
            valid,
            upgradeError);
    }

    /// <summary>Parses the input whole, split at every offset and one byte per segment; all must agree.</summary>
    public static ParseOutcome EveryShape(byte[] input, int maxRequestBytes = HandshakeParser.DefaultMaxRequestBytes, RequestCheck? check = null)
    {
        ParseOutcome? expected = null;
        foreach (var (shape, sequence) in SequenceSplits.All(input))
        {
            var outcome = Once(sequence, maxRequestBytes, check);
            if (expected is null)
            {
                expected = outcome;
            }
            else
            {
                Assert.True(expected == outcome, $"{shape}: {outcome} differs from whole: {expected}");
            }
        }

        return expected ?? Once(ReadOnlySequence<byte>.Empty, maxRequestBytes, check);
    }

    public static ParseOutcome EveryShape(string input, int maxRequestBytes = HandshakeParser.DefaultMaxRequestBytes, RequestCheck? check = null)
        => EveryShape(Bytes(input), maxRequestBytes, check);

    public static string Latin1(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);
}
