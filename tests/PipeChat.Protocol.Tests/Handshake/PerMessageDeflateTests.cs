using System.Text;
using PipeChat.Protocol.Framing;
using PipeChat.Protocol.Handshake;
using PipeChat.Protocol.Tests.Support;

namespace PipeChat.Protocol.Tests.Handshake;

public sealed class PerMessageDeflateTests
{
    private const string Base = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";

    /// <summary>Offer → the response value (null: declined), with the server's window at 15 bits.</summary>
    public static TheoryData<string, string?> Offers() => new()
    {
        { "permessage-deflate", Base },
        { "PerMessage-Deflate", Base },
        { "permessage-deflate; client_max_window_bits", Base },
        { "permessage-deflate;client_max_window_bits", Base },
        { "permessage-deflate ;\tclient_max_window_bits = 15", Base },
        { "permessage-deflate; client_max_window_bits=9", Base + "; client_max_window_bits=9" },
        { "permessage-deflate; client_max_window_bits=\"12\"", Base + "; client_max_window_bits=12" },
        { "permessage-deflate; server_max_window_bits=8", Base + "; server_max_window_bits=8" },
        { "permessage-deflate; server_max_window_bits=15", Base + "; server_max_window_bits=15" },
        { "permessage-deflate; server_no_context_takeover", Base },
        { "permessage-deflate; client_no_context_takeover", Base },
        { "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=11", Base + "; server_max_window_bits=10; client_max_window_bits=11" },

        // Several offers: the first acceptable one wins; empty list elements are allowed.
        { "permessage-deflate; server_max_window_bits=16, permessage-deflate", Base },
        { "permessage-deflate; unknown, permessage-deflate; client_max_window_bits=10", Base + "; client_max_window_bits=10" },
        { "x-webkit-deflate-frame; no_context_takeover, permessage-deflate", Base },
        { ", , permessage-deflate ,", Base },
        { "foo; bar=\"a,b;c\", permessage-deflate", Base },

        // Declined: unknown or repeated parameters, bad values, malformed syntax.
        { "", null },
        { "x-webkit-deflate-frame", null },
        { "permessage-deflat", null },
        { "permessage-deflate; unknown", null },
        { "permessage-deflate; server_max_window_bits", null },
        { "permessage-deflate; server_max_window_bits=", null },
        { "permessage-deflate; server_max_window_bits=7", null },
        { "permessage-deflate; server_max_window_bits=16", null },
        { "permessage-deflate; server_max_window_bits=08", null },
        { "permessage-deflate; server_max_window_bits=1a", null },
        { "permessage-deflate; server_max_window_bits=\"1 0\"", null },
        { "permessage-deflate; server_max_window_bits=\"10", null },
        { "permessage-deflate; client_max_window_bits=100", null },
        { "permessage-deflate; client_max_window_bits=-9", null },
        { "permessage-deflate; server_no_context_takeover=true", null },
        { "permessage-deflate; client_no_context_takeover; client_no_context_takeover", null },
        { "permessage-deflate; server_max_window_bits=10; server_max_window_bits=10", null },
        { "permessage-deflate; client_max_window_bits; client_max_window_bits=9", null },
        { "permessage-deflate;; client_max_window_bits", null },
        { "permessage-deflate; =9", null },
        { "permessage-deflate; client max_window_bits", null },
        { "permessage-deflate x", null },
    };

    [Theory]
    [MemberData(nameof(Offers))]
    public void Offer_is_accepted_with_the_expected_response_or_declined(string offer, string? expected)
    {
        var accepted = PerMessageDeflate.TrySelect(Encoding.ASCII.GetBytes(offer), new DeflateSettings(15), out var agreement);

        Assert.Equal(expected is not null, accepted);
        if (accepted)
        {
            Assert.Equal(expected, Response(agreement));
        }
    }

    [Theory]
    [InlineData("permessage-deflate", 10, Base, 15, 15)]
    [InlineData("permessage-deflate; client_max_window_bits", 10, Base + "; client_max_window_bits=10", 15, 10)]
    [InlineData("permessage-deflate; client_max_window_bits=9", 10, Base + "; client_max_window_bits=9", 15, 9)]
    [InlineData("permessage-deflate; server_max_window_bits=12", 10, Base + "; server_max_window_bits=10", 10, 15)]
    [InlineData("permessage-deflate; server_max_window_bits=9", 10, Base + "; server_max_window_bits=9", 9, 15)]
    public void A_smaller_server_window_limits_the_answer(string offer, int serverWindow, string expected, int serverMax, int clientMax)
    {
        Assert.True(PerMessageDeflate.TrySelect(Encoding.ASCII.GetBytes(offer), new DeflateSettings(serverWindow), out var agreement));

        Assert.Equal(expected, Response(agreement));
        Assert.Equal(serverMax, agreement.ServerMaxWindowBits);
        Assert.Equal(clientMax, agreement.ClientMaxWindowBits);
    }

    [Fact]
    public void Longest_response_fits_the_documented_bound()
    {
        var agreement = new DeflateAgreement(10, 10, true, true);
        Assert.True(Response(agreement).Length <= DeflateAgreement.MaxResponseLength);
    }

    [Fact]
    public void Offers_on_several_header_lines_are_tried_in_order_in_every_split()
    {
        var request = HandshakeParse.Bytes(
            "GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
            "Sec-WebSocket-Extensions: x-webkit-deflate-frame, permessage-deflate; server_max_window_bits=99\r\n" +
            "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=11; client_max_window_bits\r\n\r\n");
        foreach (var (shape, sequence) in SequenceSplits.All(request))
        {
            var scratch = new byte[4096];
            Assert.Equal(ParseStatus.Done, HandshakeParser.TryParse(sequence, 4096, scratch, out var parsed, out _, out _));
            Assert.True(parsed.TryNegotiateDeflate(new DeflateSettings(15), out var agreement), shape);
            Assert.Equal(Base + "; server_max_window_bits=11", Response(agreement));
        }
    }

    [Theory]
    [InlineData(ClientRequests.Chrome, true)]
    [InlineData(ClientRequests.Firefox, true)]
    [InlineData(ClientRequests.NodeWs, true)]
    [InlineData(ClientRequests.PythonWebsockets, true)]
    [InlineData(ClientRequests.DotNetClientWebSocket, false)]
    public void Real_client_requests_negotiate_in_every_split(string text, bool offered)
    {
        var request = HandshakeParse.Bytes(text);
        foreach (var (shape, sequence) in SequenceSplits.All(request))
        {
            var scratch = new byte[8192];
            Assert.Equal(ParseStatus.Done, HandshakeParser.TryParse(sequence, 8192, scratch, out var parsed, out _, out _));
            Assert.True(parsed.TryNegotiateDeflate(default(DeflateSettings) with { WindowBits = 15 }, out var agreement) == offered, shape);
            if (offered)
            {
                Assert.Equal(Base, Response(agreement));
            }
        }
    }

    private static string Response(in DeflateAgreement agreement)
    {
        Span<byte> buffer = stackalloc byte[DeflateAgreement.MaxResponseLength];
        return Encoding.ASCII.GetString(buffer[..PerMessageDeflate.WriteResponse(agreement, buffer)]);
    }
}
