using System.Text;

namespace PipeChat.Protocol.Handshake;

/// <summary>
/// Parses one complete request head (request line, header lines, CRLFCRLF) held in a single
/// span, recording offsets only. Strict: CRLF line endings, no obs-fold, no whitespace before
/// the colon, origin-form targets.
/// </summary>
internal static class RequestHeadParser
{
    private const byte Space = (byte)' ';

    /// <param name="head">The head through its final CRLFCRLF, with every LF preceded by CR.</param>
    /// <param name="layout">Receives the offsets.</param>
    /// <param name="allowBody">Whether POST (with Content-Length or Transfer-Encoding) is accepted besides GET.</param>
    /// <param name="error">Status and reason when the head is refused.</param>
    public static bool TryParse(ReadOnlySpan<byte> head, ref RequestLayout layout, bool allowBody, out HandshakeError error)
    {
        var lineEnd = head.IndexOf("\r\n"u8);
        if (!TryParseRequestLine(head[..lineEnd], ref layout, allowBody, out error))
        {
            return false;
        }

        var position = lineEnd + 2;
        while (true)
        {
            var lineLength = head[position..].IndexOf("\r\n"u8);
            if (lineLength == 0)
            {
                return true;
            }

            if (!TryParseHeaderLine(head, position, lineLength, ref layout, out error))
            {
                return false;
            }

            position += lineLength + 2;
        }
    }

    private static bool TryParseRequestLine(ReadOnlySpan<byte> line, ref RequestLayout layout, bool allowBody, out HandshakeError error)
    {
        var methodEnd = line.IndexOf(Space);
        if (methodEnd <= 0)
        {
            return Fail(400, HandshakeReasons.MalformedRequestLine, out error);
        }

        var method = line[..methodEnd];
        var targetStart = methodEnd + 1;
        var targetLength = line[targetStart..].IndexOf(Space);
        if (!HttpSyntax.IsToken(method) || targetLength < 0)
        {
            return Fail(400, HandshakeReasons.MalformedRequestLine, out error);
        }

        var version = line[(targetStart + targetLength + 1)..];
        if (!version.SequenceEqual("HTTP/1.1"u8))
        {
            return IsHttpVersion(version)
                ? Fail(505, HandshakeReasons.UnsupportedVersion, out error)
                : Fail(400, HandshakeReasons.MalformedRequestLine, out error);
        }

        var target = line.Slice(targetStart, targetLength);
        if (target.IsEmpty || target[0] != (byte)'/' ||
            target.ContainsAnyExceptInRange((byte)0x21, (byte)0x7E) || target.Contains((byte)'#'))
        {
            return Fail(400, HandshakeReasons.InvalidRequestTarget, out error);
        }

        layout.IsPost = allowBody && method.SequenceEqual("POST"u8);
        if (!layout.IsPost && !method.SequenceEqual("GET"u8))
        {
            return Fail(405, HandshakeReasons.MethodNotAllowed(method), out error);
        }

        layout.MethodLength = methodEnd;

        var question = target.IndexOf((byte)'?');
        layout.PathStart = targetStart;
        layout.PathLength = question < 0 ? targetLength : question;
        layout.QueryStart = question < 0 ? targetStart + targetLength : targetStart + question + 1;
        layout.QueryLength = question < 0 ? 0 : targetLength - question - 1;
        error = default;
        return true;
    }

    /// <summary>"HTTP/" DIGIT "." DIGIT: a well-formed version we do not speak (505), as opposed to garbage (400).</summary>
    private static bool IsHttpVersion(ReadOnlySpan<byte> version)
        => version.Length == 8 && version.StartsWith("HTTP/"u8) &&
           char.IsAsciiDigit((char)version[5]) && version[6] == (byte)'.' && char.IsAsciiDigit((char)version[7]);

    private static bool TryParseHeaderLine(ReadOnlySpan<byte> head, int lineStart, int lineLength, ref RequestLayout layout, out HandshakeError error)
    {
        var line = head.Slice(lineStart, lineLength);
        if (HttpSyntax.IsOws(line[0]))
        {
            return Fail(400, HandshakeReasons.ObsoleteLineFolding, out error);
        }

        var colon = line.IndexOf((byte)':');
        if (colon < 0)
        {
            return Fail(400, HandshakeReasons.MalformedHeader, out error);
        }

        var name = line[..colon];
        if (!HttpSyntax.IsToken(name))
        {
            return Fail(400, HandshakeReasons.InvalidHeaderName, out error);
        }

        var valueStart = colon + 1;
        while (valueStart < line.Length && HttpSyntax.IsOws(line[valueStart]))
        {
            valueStart++;
        }

        var value = HttpSyntax.TrimOws(line[valueStart..]);
        if (!HttpSyntax.IsValidFieldValue(value))
        {
            return Fail(400, HandshakeReasons.InvalidHeaderValue, out error);
        }

        if (layout.HeaderCount == HeaderTable.Capacity)
        {
            return Fail(431, HandshakeReasons.TooManyHeaders, out error);
        }

        layout.Headers[layout.HeaderCount] = new HeaderEntry(lineStart, colon, lineStart + valueStart, value.Length);
        layout.HeaderCount++;
        return TryClassify(name, value, layout.HeaderCount, ref layout, out error);
    }

    /// <summary>Records the headers the request exposes directly and enforces the per-header rules.</summary>
    private static bool TryClassify(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, int indexPlusOne, ref RequestLayout layout, out HandshakeError error)
    {
        error = default;
        switch (name.Length)
        {
            case 4 when Ascii.EqualsIgnoreCase(name, "host"u8):
                if (layout.HostIndex != 0)
                {
                    return Fail(400, HandshakeReasons.DuplicateHost, out error);
                }

                layout.HostIndex = indexPlusOne;
                break;
            case 6 when Ascii.EqualsIgnoreCase(name, "origin"u8):
                SetFirst(ref layout.OriginIndex, indexPlusOne);
                break;
            case 14 when Ascii.EqualsIgnoreCase(name, "content-length"u8):
                if (layout.IsPost)
                {
                    return TryRecordContentLength(value, indexPlusOne, ref layout, out error);
                }

                if (value.IsEmpty || value.ContainsAnyExcept((byte)'0'))
                {
                    return Fail(400, HandshakeReasons.UnexpectedBody, out error);
                }

                break;
            case 17 when Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8):
                if (layout.IsPost)
                {
                    // Recorded, not decoded: the caller refuses bodies without a Content-Length.
                    SetFirst(ref layout.TransferEncodingIndex, indexPlusOne);
                    break;
                }

                return Fail(400, HandshakeReasons.UnexpectedBody, out error);
            case 17 when Ascii.EqualsIgnoreCase(name, "sec-websocket-key"u8):
                SetFirst(ref layout.KeyIndex, indexPlusOne);
                break;
            case 21 when Ascii.EqualsIgnoreCase(name, "sec-websocket-version"u8):
                SetFirst(ref layout.VersionIndex, indexPlusOne);
                break;
            case 24 when Ascii.EqualsIgnoreCase(name, "sec-websocket-extensions"u8):
                SetFirst(ref layout.ExtensionsIndex, indexPlusOne);
                break;
        }

        return true;
    }

    /// <summary>POST: 1 to 18 decimal digits; a repeated header must carry the same value (RFC 9112 §6.3).</summary>
    private static bool TryRecordContentLength(ReadOnlySpan<byte> value, int indexPlusOne, ref RequestLayout layout, out HandshakeError error)
    {
        if (value.IsEmpty || value.Length > 18 || value.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
        {
            return Fail(400, HandshakeReasons.InvalidContentLength, out error);
        }

        long length = 0;
        foreach (var digit in value)
        {
            length = (length * 10) + (digit - '0');
        }

        if (layout.ContentLengthIndex != 0 && layout.ContentLength != length)
        {
            return Fail(400, HandshakeReasons.ConflictingContentLength, out error);
        }

        if (layout.ContentLengthIndex == 0)
        {
            layout.ContentLengthIndex = indexPlusOne;
            layout.ContentLength = length;
        }

        error = default;
        return true;
    }

    private static void SetFirst(ref int slot, int indexPlusOne)
    {
        if (slot == 0)
        {
            slot = indexPlusOne;
        }
    }

    private static bool Fail(int statusCode, string reason, out HandshakeError error)
    {
        error = new HandshakeError(statusCode, reason);
        return false;
    }
}
