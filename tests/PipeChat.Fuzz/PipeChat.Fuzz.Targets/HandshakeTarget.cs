using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using PipeChat.Protocol.Framing;
using PipeChat.Protocol.Handshake;

namespace PipeChat.Fuzz;

/// <summary>
/// Fuzzes <see cref="HandshakeParser"/>, <see cref="HandshakeRequest.TryValidateUpgrade"/> and the
/// <see cref="HandshakeResponse"/> writers. Input: byte 0 = head limit, byte 1 = how the request
/// arrives (see <see cref="InputPieces.Lengths"/>), then the request bytes.
/// </summary>
/// <remarks>
/// Invariants: no exception; Invalid only with 400, 405, 426, 431 or 505; Done only for a head
/// within the limit that ends in CRLFCRLF, with <c>end</c> just after it; NeedMoreData only below
/// the limit; the outcome is the same whether the request arrives whole or in pieces; the
/// response writers produce a well-formed head (and the RFC 6455 accept key).
/// </remarks>
public static class HandshakeTarget
{
    private static readonly int[] s_limits = [4, 16, 64, 100, 256, 1024, 4096, HandshakeParser.DefaultMaxRequestBytes];

    public static void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length < 2)
        {
            return;
        }

        var limit = s_limits[input[0] & 7];
        var request = input[2..].ToArray();
        var pieces = InputPieces.Lengths(request.Length, input[1]);
        var outcome = Drive(request, pieces, limit);
        if (pieces.Count > 1)
        {
            var whole = Drive(request, [request.Length], limit);
            FuzzInvariantException.Check(outcome == whole, $"{outcome} in pieces, {whole} whole");
        }
    }

    private static Outcome Drive(byte[] bytes, List<int> pieces, int limit)
    {
        var scratch = new byte[limit];
        var chain = new InputPieces.Chain();
        var offset = 0;
        foreach (var length in pieces)
        {
            var input = chain.Append(bytes.AsMemory(offset, length));
            offset += length;
            scratch.AsSpan().Fill(0xA5);
            var status = HandshakeParser.TryParse(input, limit, scratch, out var request, out var end, out var error);
            switch (status)
            {
                case ParseStatus.NeedMoreData:
                    FuzzInvariantException.Check(input.Length < limit, $"NeedMoreData with {input.Length} bytes held, limit {limit}");
                    continue;

                case ParseStatus.Invalid:
                    FuzzInvariantException.Check(error.StatusCode is 400 or 405 or 426 or 431 or 505, $"Invalid with status {error.StatusCode}");
                    CheckErrorResponse(error);
                    return new Outcome(status, error.StatusCode, 0);

                case ParseStatus.Done:
                    FuzzInvariantException.Check(request.Length <= limit, $"Done with a {request.Length}-byte head over the {limit} limit");
                    FuzzInvariantException.Check(input.Slice(input.Start, end).Length == request.Length, "end is not just after the head");
                    FuzzInvariantException.Check(bytes.AsSpan(0, request.Length).EndsWith("\r\n\r\n"u8), "head does not end in CRLFCRLF");
                    CheckRequest(request);
                    return new Outcome(status, 0, request.Length);

                default:
                    throw new FuzzInvariantException($"unknown status {status}");
            }
        }

        return new Outcome(ParseStatus.NeedMoreData, 0, 0);
    }

    private static void CheckRequest(HandshakeRequest request)
    {
        FuzzInvariantException.Check(!request.Path.IsEmpty && request.Path[0] == (byte)'/', "path does not start with '/'");
        _ = request.Host.Length + request.Origin.Length + request.HeaderCount;
        _ = request.HasExtensions;
        _ = request.TryGetHeader("x-missing"u8, out _);
        foreach (var name in (ReadOnlySpan<string>)["id", "token", ""])
        {
            if (request.TryGetQueryParameter(Encoding.ASCII.GetBytes(name), out var raw))
            {
                var decoded = new byte[raw.Length];
                if (HandshakeRequest.TryPercentDecode(raw, decoded, out var written))
                {
                    FuzzInvariantException.Check(written <= raw.Length, "percent-decoding grew the value");
                }

                _ = HandshakeRequest.TryPercentDecode(raw, decoded.AsSpan(0, raw.Length / 2), out _);
            }
        }

        if (!request.TryValidateUpgrade(out var error))
        {
            FuzzInvariantException.Check(error.StatusCode is 400 or 426, $"upgrade refused with status {error.StatusCode}");
            CheckErrorResponse(error);
            return;
        }

        var key = request.Key;
        FuzzInvariantException.Check(key.Length == 24, $"valid upgrade with a {key.Length}-byte key");
        var subProtocol = request.OffersSubProtocol("chat"u8) ? "chat"u8 : default;
        var output = new ArrayBufferWriter<byte>();
        HandshakeResponse.WriteSwitchingProtocols(output, key, subProtocol);
        var response = output.WrittenSpan;
        FuzzInvariantException.Check(response.StartsWith("HTTP/1.1 101 Switching Protocols\r\n"u8), "101 status line");
        FuzzInvariantException.Check(response.EndsWith("\r\n\r\n"u8) && response.IndexOf("\r\n\r\n"u8) == response.Length - 4, "101 head end");
        var expected = Convert.ToBase64String(SHA1.HashData([.. key, .. "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"u8]));
        FuzzInvariantException.Check(
            response.IndexOf(Encoding.ASCII.GetBytes("\r\nSec-WebSocket-Accept: " + expected + "\r\n")) > 0, "accept key differs from RFC 6455");
    }

    private static void CheckErrorResponse(in HandshakeError error)
    {
        FuzzInvariantException.Check(!string.IsNullOrEmpty(error.Reason), "error without a reason");
        var output = new ArrayBufferWriter<byte>();
        HandshakeResponse.WriteError(output, error);
        var response = output.WrittenSpan;
        FuzzInvariantException.Check(response.StartsWith(Encoding.ASCII.GetBytes($"HTTP/1.1 {error.StatusCode} ")), "error status line");
        var headEnd = response.IndexOf("\r\n\r\n"u8);
        FuzzInvariantException.Check(headEnd > 0, "error response has no head end");
        var body = response[(headEnd + 4)..];
        FuzzInvariantException.Check(
            response[..headEnd].IndexOf(Encoding.ASCII.GetBytes($"\r\nContent-Length: {body.Length}\r\n")) > 0, "Content-Length differs from the body");
        FuzzInvariantException.Check(IsPrintableLines(response[..headEnd]), "error head has a byte outside printable ASCII lines");
    }

    /// <summary>CRLF-separated lines of printable ASCII only: no header injection from a reason.</summary>
    private static bool IsPrintableLines(ReadOnlySpan<byte> head)
    {
        while (true)
        {
            var lineEnd = head.IndexOf("\r\n"u8);
            var line = lineEnd < 0 ? head : head[..lineEnd];
            if (line.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E) >= 0)
            {
                return false;
            }

            if (lineEnd < 0)
            {
                return true;
            }

            head = head[(lineEnd + 2)..];
        }
    }

    private readonly record struct Outcome(ParseStatus Status, int StatusCode, int HeadLength);
}
