using System.Buffers;

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
    public static Framing.ParseStatus TryParse(
        in ReadOnlySequence<byte> input,
        int maxRequestBytes,
        Span<byte> scratch,
        out HandshakeRequest request,
        out SequencePosition end,
        out HandshakeError error)
        => throw new NotImplementedException();
}
