using System.Text;

namespace PipeChat.Protocol.Handshake;

/// <summary>What the server is willing to use for permessage-deflate.</summary>
/// <param name="WindowBits">
/// LZ77 window (8–15) the server compresses with, and the largest it asks clients to use when
/// they offer <c>client_max_window_bits</c>.
/// </param>
public readonly record struct DeflateSettings(int WindowBits = 15);

/// <summary>
/// An accepted permessage-deflate offer. The server always answers with
/// <c>server_no_context_takeover</c> (one compressed frame can serve every recipient) and
/// <c>client_no_context_takeover</c> (each client message decompresses on its own, so no
/// decompressor is held between messages); RFC 7692 §7.1.1 allows both even when not offered.
/// </summary>
/// <param name="ServerMaxWindowBits">Largest window the client accepts from us (15 unless it offered less).</param>
/// <param name="ClientMaxWindowBits">Largest window the client will use (15 unless limited).</param>
/// <param name="EchoServerMaxWindowBits">Whether the response carries <c>server_max_window_bits</c> (only when offered).</param>
/// <param name="EchoClientMaxWindowBits">Whether the response carries <c>client_max_window_bits</c> (only when offered).</param>
public readonly record struct DeflateAgreement(int ServerMaxWindowBits, int ClientMaxWindowBits, bool EchoServerMaxWindowBits, bool EchoClientMaxWindowBits)
{
    /// <summary>Longest value <see cref="PerMessageDeflate.WriteResponse"/> writes.</summary>
    public const int MaxResponseLength = 128;
}

/// <summary>
/// permessage-deflate negotiation (RFC 7692 §5, §7.1) over Sec-WebSocket-Extensions values
/// (RFC 6455 §9.1: <c>extension *( ";" param [ "=" (token | quoted-string) ] )</c>, comma-separated,
/// in the client's order of preference). The first acceptable permessage-deflate offer wins; an
/// offer with an unknown or repeated parameter, or a bad window value, is declined and the next
/// one is tried; other extensions are ignored. No offer acceptable: no extension (a plain
/// connection), never an error status — RFC 7692 leaves declining to the server.
/// </summary>
public static class PerMessageDeflate
{
    public const int MinWindowBits = 8;
    public const int MaxWindowBits = 15;

    private static ReadOnlySpan<byte> Name => "permessage-deflate"u8;

    /// <summary>Picks the first acceptable offer in one header value.</summary>
    public static bool TrySelect(ReadOnlySpan<byte> headerValue, in DeflateSettings settings, out DeflateAgreement agreement)
    {
        var rest = headerValue;
        while (NextElement(ref rest, (byte)',', skipEmpty: true, out var element))
        {
            if (TryAccept(element, settings, out agreement))
            {
                return true;
            }
        }

        agreement = default;
        return false;
    }

    /// <summary>Writes the Sec-WebSocket-Extensions value of the response; returns its length.</summary>
    public static int WriteResponse(in DeflateAgreement agreement, Span<byte> destination)
    {
        var writer = new ResponseHeadWriter(destination);
        writer.Write("permessage-deflate; server_no_context_takeover; client_no_context_takeover"u8);
        if (agreement.EchoServerMaxWindowBits)
        {
            writer.Write("; server_max_window_bits="u8);
            writer.Write(agreement.ServerMaxWindowBits);
        }

        if (agreement.EchoClientMaxWindowBits)
        {
            writer.Write("; client_max_window_bits="u8);
            writer.Write(agreement.ClientMaxWindowBits);
        }

        return writer.Written;
    }

    /// <summary>Accepts one extension element if it is a valid permessage-deflate offer.</summary>
    private static bool TryAccept(ReadOnlySpan<byte> element, in DeflateSettings settings, out DeflateAgreement agreement)
    {
        agreement = default;
        if (!NextElement(ref element, (byte)';', skipEmpty: false, out var name) || !Ascii.EqualsIgnoreCase(name, Name))
        {
            return false;
        }

        bool serverNoTakeover = false, clientNoTakeover = false, serverBits = false, clientBits = false;
        int serverBitsValue = MaxWindowBits, clientBitsValue = MaxWindowBits;
        while (NextElement(ref element, (byte)';', skipEmpty: false, out var parameter))
        {
            if (!TrySplitParameter(parameter, out var key, out var value, out var hasValue))
            {
                return false;
            }

            if (Ascii.EqualsIgnoreCase(key, "server_no_context_takeover"u8))
            {
                if (serverNoTakeover || hasValue)
                {
                    return false;
                }

                serverNoTakeover = true;
            }
            else if (Ascii.EqualsIgnoreCase(key, "client_no_context_takeover"u8))
            {
                if (clientNoTakeover || hasValue)
                {
                    return false;
                }

                clientNoTakeover = true;
            }
            else if (Ascii.EqualsIgnoreCase(key, "server_max_window_bits"u8))
            {
                // §7.1.2.1: a value is required.
                if (serverBits || !hasValue || !TryParseWindowBits(value, out serverBitsValue))
                {
                    return false;
                }

                serverBits = true;
            }
            else if (Ascii.EqualsIgnoreCase(key, "client_max_window_bits"u8))
            {
                // §7.1.2.2: the value is optional ("I can limit my window if you ask").
                if (clientBits || (hasValue && !TryParseWindowBits(value, out clientBitsValue)))
                {
                    return false;
                }

                clientBits = true;
            }
            else
            {
                return false;
            }
        }

        var window = Math.Clamp(settings.WindowBits, MinWindowBits, MaxWindowBits);

        // We compress without context takeover, with our own window; a client that asked for a
        // smaller one gets compressed frames only for payloads that fit in it (any DEFLATE
        // stream of at most 2^bits bytes never reaches further back), so any value is honoured.
        var serverMax = serverBits ? Math.Min(serverBitsValue, window) : MaxWindowBits;

        // Ask for a smaller client window only when the client offered to limit it.
        var clientMax = clientBits ? Math.Min(clientBitsValue, window) : MaxWindowBits;
        var echoClient = clientBits && clientMax < MaxWindowBits;
        agreement = new DeflateAgreement(serverMax, clientMax, serverBits, echoClient);
        return true;
    }

    /// <summary>1*DIGIT from 8 to 15 with no leading zero (RFC 7692 §7.1.2.1), possibly as a quoted-string.</summary>
    private static bool TryParseWindowBits(ReadOnlySpan<byte> value, out int bits)
    {
        bits = 0;
        if (value.Length is < 1 or > 2 || value[0] == (byte)'0')
        {
            return false;
        }

        foreach (var b in value)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            bits = (bits * 10) + (b - '0');
        }

        return bits is >= MinWindowBits and <= MaxWindowBits;
    }

    /// <summary>token [ OWS "=" OWS ( token / quoted-string ) ]; a quoted value comes back unquoted (no escapes allowed in a window value).</summary>
    private static bool TrySplitParameter(ReadOnlySpan<byte> parameter, out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value, out bool hasValue)
    {
        value = default;
        var equals = parameter.IndexOf((byte)'=');
        hasValue = equals >= 0;
        key = HttpSyntax.TrimOws(hasValue ? parameter[..equals] : parameter);
        if (!HttpSyntax.IsToken(key))
        {
            return false;
        }

        if (!hasValue)
        {
            return true;
        }

        value = HttpSyntax.TrimOws(parameter[(equals + 1)..]);
        if (value.Length >= 2 && value[0] == (byte)'"' && value[^1] == (byte)'"')
        {
            value = value[1..^1];
            return !value.Contains((byte)'"') && !value.Contains((byte)'\\') && HttpSyntax.IsToken(value);
        }

        return HttpSyntax.IsToken(value);
    }

    /// <summary>
    /// Cuts the next element off a list at <paramref name="separator"/> (outside quoted strings)
    /// and trims it; false at the end of the list. Empty list elements may be skipped (RFC 9110
    /// §5.6.1 allows them between commas); an empty parameter is returned (and then refused).
    /// </summary>
    private static bool NextElement(ref ReadOnlySpan<byte> list, byte separator, bool skipEmpty, out ReadOnlySpan<byte> element)
    {
        while (!list.IsEmpty)
        {
            var end = 0;
            var quoted = false;
            while (end < list.Length)
            {
                var b = list[end];
                if (quoted && b == (byte)'\\' && end + 1 < list.Length)
                {
                    end += 2;
                    continue;
                }

                if (b == (byte)'"')
                {
                    quoted = !quoted;
                }
                else if (!quoted && b == separator)
                {
                    break;
                }

                end++;
            }

            element = HttpSyntax.TrimOws(list[..end]);
            list = end < list.Length ? list[(end + 1)..] : default;
            if (!element.IsEmpty || !skipEmpty)
            {
                return true;
            }
        }

        element = default;
        return false;
    }
}
