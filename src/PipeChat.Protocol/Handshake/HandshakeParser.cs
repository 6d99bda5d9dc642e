using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using PipeChat.Protocol.Framing;

namespace PipeChat.Protocol.Handshake;

/// <summary>Parses an HTTP/1.1 request head that may arrive in any number of pieces.</summary>
public static class HandshakeParser
{
    public const int DefaultMaxRequestBytes = 8 * 1024;

    /// <summary>
    /// Parses the request head at the start of <paramref name="input"/>. GET only (else 405),
    /// HTTP/1.1 only (else 505), header block within <paramref name="maxRequestBytes"/> (else 431),
    /// malformed → 400. Any GET is accepted here, upgrade or not; call
    /// <see cref="HandshakeRequest.TryValidateUpgrade"/> for the WebSocket checks.
    /// </summary>
    /// <param name="input">Received bytes.</param>
    /// <param name="maxRequestBytes">Limit on the request head, CRLFCRLF included.</param>
    /// <param name="scratch">At least <paramref name="maxRequestBytes"/> bytes; used only when the head spans segments (the request's spans then point into it).</param>
    /// <param name="request">The parsed request when <c>Done</c>.</param>
    /// <param name="end">Position just after the head when <c>Done</c>.</param>
    /// <param name="error">Status and reason when <c>Invalid</c>.</param>
    public static ParseStatus TryParse(
        in ReadOnlySequence<byte> input,
        int maxRequestBytes,
        Span<byte> scratch,
        out HandshakeRequest request,
        out SequencePosition end,
        out HandshakeError error)
        => TryParse(input, maxRequestBytes, scratch, allowBody: false, out request, out end, out error);

    /// <summary>
    /// As above; with <paramref name="allowBody"/> a POST is accepted too, its Content-Length
    /// (1 to 18 digits, repeated only with the same value, else 400) and any Transfer-Encoding
    /// recorded for the caller, who reads (or refuses) the body that follows the head. A GET
    /// still may not carry a body.
    /// </summary>
    public static ParseStatus TryParse(
        in ReadOnlySequence<byte> input,
        int maxRequestBytes,
        Span<byte> scratch,
        bool allowBody,
        out HandshakeRequest request,
        out SequencePosition end,
        out HandshakeError error)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRequestBytes, 4);
        request = default;
        end = input.Start;

        // Fast path: the whole head is in the first segment; parse it in place.
        var first = input.FirstSpan;
        var window = first.Length > maxRequestBytes ? first[..maxRequestBytes] : first;
        var headLength = FindHeadEnd(window, out var bareLineFeed);
        if (headLength < 0 && !bareLineFeed && !input.IsSingleSegment && first.Length < maxRequestBytes)
        {
            // Slow path: the head (or what there is of it) spans segments; gather it in scratch.
            var copyLength = (int)Math.Min(input.Length, maxRequestBytes);
            if (scratch.Length < copyLength)
            {
                ThrowScratchTooSmall();
            }

            var gathered = scratch[..copyLength];
            input.Slice(0, copyLength).CopyTo(gathered);
            window = gathered;
            headLength = FindHeadEnd(window, out bareLineFeed);
        }

        if (bareLineFeed)
        {
            error = new HandshakeError(400, HandshakeReasons.BareLineFeed);
            return ParseStatus.Invalid;
        }

        if (headLength < 0)
        {
            if (input.Length >= maxRequestBytes)
            {
                error = new HandshakeError(431, HandshakeReasons.HeadTooLarge);
                return ParseStatus.Invalid;
            }

            error = default;
            return ParseStatus.NeedMoreData;
        }

        var head = window[..headLength];
        var layout = default(RequestLayout);
        if (!RequestHeadParser.TryParse(head, ref layout, allowBody, out error))
        {
            return ParseStatus.Invalid;
        }

        request = new HandshakeRequest(head, in layout);
        end = input.GetPosition(headLength);
        return ParseStatus.Done;
    }

    /// <summary>
    /// Length of the head through its CRLFCRLF, or -1 when the bytes end first. Every LF must
    /// follow a CR; <paramref name="bareLineFeed"/> reports the first one that does not, so a
    /// client using bare LFs is refused at once instead of waiting for the limit.
    /// </summary>
    internal static int FindHeadEnd(ReadOnlySpan<byte> bytes, out bool bareLineFeed)
    {
        bareLineFeed = false;
        var position = 0;
        while (true)
        {
            var found = bytes[position..].IndexOf((byte)'\n');
            if (found < 0)
            {
                return -1;
            }

            var lineFeed = position + found;
            if (lineFeed == 0 || bytes[lineFeed - 1] != (byte)'\r')
            {
                bareLineFeed = true;
                return -1;
            }

            // The previous LF (if it is two bytes back) was already checked to follow a CR.
            if (lineFeed >= 3 && bytes[lineFeed - 2] == (byte)'\n')
            {
                return lineFeed + 1;
            }

            position = lineFeed + 1;
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowScratchTooSmall()
        => throw new ArgumentException("The scratch buffer must hold at least maxRequestBytes bytes.", "scratch");
}
