using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace PipeChat.Protocol.Handshake;

/// <summary>
/// A parsed HTTP/1.1 request head. All spans point into the request bytes (or the caller's
/// scratch buffer) and are raw: not percent-decoded, header values trimmed of OWS.
/// </summary>
public readonly ref struct HandshakeRequest
{
    /// <summary>A Sec-WebSocket-Key is 16 random bytes, so 24 characters of base64.</summary>
    private const int KeyBase64Length = 24;
    private const int KeyByteLength = 16;

    private readonly ReadOnlySpan<byte> _head;
    private readonly RequestLayout _layout;

    internal HandshakeRequest(ReadOnlySpan<byte> head, scoped in RequestLayout layout)
    {
        _head = head;
        _layout = layout;
    }

    /// <summary>The request method: GET, or POST when the parser was allowed bodies.</summary>
    public ReadOnlySpan<byte> Method => _head[.._layout.MethodLength];

    /// <summary>A POST (only when the parser was allowed bodies).</summary>
    public bool IsPost => _layout.IsPost;

    /// <summary>A POST's Content-Length, or -1 when it has none (a GET: always -1).</summary>
    public long ContentLength => _layout.ContentLengthIndex == 0 ? -1 : _layout.ContentLength;

    /// <summary>A POST that sent Transfer-Encoding (chunked bodies are not decoded).</summary>
    public bool HasTransferEncoding => _layout.TransferEncodingIndex != 0;

    /// <summary>Request path, starting with '/', without the query.</summary>
    public ReadOnlySpan<byte> Path => _head.Slice(_layout.PathStart, _layout.PathLength);

    /// <summary>Query string without '?', empty when absent.</summary>
    public ReadOnlySpan<byte> Query => _head.Slice(_layout.QueryStart, _layout.QueryLength);

    public ReadOnlySpan<byte> Host => KnownValue(_layout.HostIndex);

    /// <summary>The Origin header, empty when absent.</summary>
    public ReadOnlySpan<byte> Origin => KnownValue(_layout.OriginIndex);

    /// <summary>The Sec-WebSocket-Key value as sent (base64 text).</summary>
    public ReadOnlySpan<byte> Key => KnownValue(_layout.KeyIndex);

    /// <summary>true when the request asks for a WebSocket upgrade (an Upgrade header naming websocket).</summary>
    public bool IsWebSocketUpgrade => AnyHeaderListContains("upgrade"u8, "websocket"u8, ignoreCase: true);

    /// <summary>true when the client offered any Sec-WebSocket-Extensions.</summary>
    public bool HasExtensions => _layout.ExtensionsIndex != 0;

    /// <summary>Total bytes of the request head including the final CRLFCRLF.</summary>
    public int Length => _head.Length;

    /// <summary>Number of header lines in the request.</summary>
    public int HeaderCount => _layout.HeaderCount;

    /// <summary>First value of a header (case-insensitive name), trimmed.</summary>
    public bool TryGetHeader(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        for (var i = 0; i < _layout.HeaderCount; i++)
        {
            var entry = _layout.Headers[i];
            if (Ascii.EqualsIgnoreCase(HeaderName(entry), name))
            {
                value = HeaderValue(entry);
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>How many header lines carry this name (case-insensitive).</summary>
    public int CountHeader(ReadOnlySpan<byte> name)
    {
        var count = 0;
        for (var i = 0; i < _layout.HeaderCount; i++)
        {
            if (Ascii.EqualsIgnoreCase(HeaderName(_layout.Headers[i]), name))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Raw (still percent-encoded) value of a query parameter.</summary>
    public bool TryGetQueryParameter(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> rawValue)
    {
        var query = Query;
        while (!query.IsEmpty)
        {
            var ampersand = query.IndexOf((byte)'&');
            var pair = ampersand < 0 ? query : query[..ampersand];
            var equals = pair.IndexOf((byte)'=');
            var key = equals < 0 ? pair : pair[..equals];
            if (key.SequenceEqual(name))
            {
                rawValue = equals < 0 ? default : pair[(equals + 1)..];
                return true;
            }

            query = ampersand < 0 ? default : query[(ampersand + 1)..];
        }

        rawValue = default;
        return false;
    }

    /// <summary>
    /// Decodes a query component: "%HH" becomes that byte and '+' becomes a space
    /// (application/x-www-form-urlencoded). Returns false on a malformed escape or when
    /// <paramref name="destination"/> is too small; the result is never longer than the input.
    /// </summary>
    public static bool TryPercentDecode(ReadOnlySpan<byte> raw, Span<byte> destination, out int written)
    {
        written = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            var b = raw[i];
            if (b == (byte)'%')
            {
                if (i + 2 >= raw.Length)
                {
                    return false;
                }

                var high = HexValue(raw[i + 1]);
                var low = HexValue(raw[i + 2]);
                if ((high | low) < 0)
                {
                    return false;
                }

                b = (byte)((high << 4) | low);
                i += 2;
            }
            else if (b == (byte)'+')
            {
                b = (byte)' ';
            }

            if (written == destination.Length)
            {
                return false;
            }

            destination[written++] = b;
        }

        return true;
    }

    /// <summary>
    /// Negotiates permessage-deflate over every Sec-WebSocket-Extensions line in order: the first
    /// acceptable offer wins (see <see cref="PerMessageDeflate"/>); false declines.
    /// </summary>
    public bool TryNegotiateDeflate(in DeflateSettings settings, out DeflateAgreement agreement)
    {
        for (var i = 0; i < _layout.HeaderCount; i++)
        {
            var entry = _layout.Headers[i];
            if (Ascii.EqualsIgnoreCase(HeaderName(entry), "sec-websocket-extensions"u8)
                && PerMessageDeflate.TrySelect(HeaderValue(entry), settings, out agreement))
            {
                return true;
            }
        }

        agreement = default;
        return false;
    }

    /// <summary>Whether the client listed this subprotocol in Sec-WebSocket-Protocol (any of its header lines), compared exactly.</summary>
    public bool OffersSubProtocol(ReadOnlySpan<byte> protocol)
        => !protocol.IsEmpty && AnyHeaderListContains("sec-websocket-protocol"u8, protocol, ignoreCase: false);

    /// <summary>
    /// Checks everything a WebSocket upgrade needs (RFC 6455 §4.2.1): Upgrade: websocket,
    /// Connection token list containing Upgrade, Sec-WebSocket-Version: 13 (else 426), a key
    /// that base64-decodes to 16 bytes, a Host header.
    /// </summary>
    public bool TryValidateUpgrade(out HandshakeError error)
    {
        if (IsPost)
        {
            return Fail(405, HandshakeReasons.MethodNotAllowed(Method), out error);
        }

        if (!IsWebSocketUpgrade)
        {
            return Fail(400, HandshakeReasons.MissingUpgrade, out error);
        }

        if (!AnyHeaderListContains("connection"u8, "upgrade"u8, ignoreCase: true))
        {
            return Fail(400, HandshakeReasons.MissingConnectionUpgrade, out error);
        }

        if (_layout.HostIndex == 0)
        {
            return Fail(400, HandshakeReasons.MissingHost, out error);
        }

        if (!KnownValue(_layout.VersionIndex).SequenceEqual("13"u8))
        {
            return Fail(426, HandshakeReasons.UnsupportedWebSocketVersion, out error);
        }

        if (_layout.KeyIndex == 0)
        {
            return Fail(400, HandshakeReasons.MissingKey, out error);
        }

        if (!IsValidKey(Key))
        {
            return Fail(400, HandshakeReasons.InvalidKey, out error);
        }

        error = default;
        return true;
    }

    /// <summary>RFC 6455 §4.1: the key is a randomly selected 16-byte value that has been base64-encoded.</summary>
    private static bool IsValidKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyBase64Length)
        {
            return false;
        }

        Span<byte> decoded = stackalloc byte[KeyByteLength + 2];
        return Base64.DecodeFromUtf8(key, decoded, out _, out var written) == OperationStatus.Done && written == KeyByteLength;
    }

    private bool AnyHeaderListContains(ReadOnlySpan<byte> name, ReadOnlySpan<byte> token, bool ignoreCase)
    {
        for (var i = 0; i < _layout.HeaderCount; i++)
        {
            var entry = _layout.Headers[i];
            if (Ascii.EqualsIgnoreCase(HeaderName(entry), name) && HttpSyntax.ListContains(HeaderValue(entry), token, ignoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private ReadOnlySpan<byte> KnownValue(int indexPlusOne)
        => indexPlusOne == 0 ? default : HeaderValue(_layout.Headers[indexPlusOne - 1]);

    private ReadOnlySpan<byte> HeaderName(scoped in HeaderEntry entry) => _head.Slice(entry.NameStart, entry.NameLength);

    private ReadOnlySpan<byte> HeaderValue(scoped in HeaderEntry entry) => _head.Slice(entry.ValueStart, entry.ValueLength);

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        _ => -1,
    };

    private static bool Fail(int statusCode, string reason, out HandshakeError error)
    {
        error = new HandshakeError(statusCode, reason);
        return false;
    }
}
