using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using PipeChat.Server.Tests.Interop;
using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Limits;

/// <summary>wss:// offers TLS 1.2 and 1.3 only, with AEAD suites (what iOS clients require).</summary>
public sealed class TlsTests : IDisposable
{
    private readonly SelfSignedPemPair _pem = SelfSignedPemPair.Create();

    public void Dispose() => _pem.Dispose();

    [Theory]
    [InlineData(SslProtocols.Tls12)]
    [InlineData(SslProtocols.Tls13)]
    public async Task Tls12_and_tls13_clients_connect_with_an_aead_suite_and_upgrade(SslProtocols protocol)
    {
        await using var server = await TestServer.StartAsync("--tls-cert", _pem.CertificatePath, "--tls-key", _pem.KeyPath);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", server.Port, cts.Token);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            EnabledSslProtocols = protocol,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        }, cts.Token);

        Assert.Equal(protocol, tls.SslProtocol);
        var suite = tls.NegotiatedCipherSuite.ToString();
        Assert.True(suite.Contains("GCM", StringComparison.Ordinal) || suite.Contains("CHACHA20", StringComparison.Ordinal), suite);
        Assert.NotEqual(SslApplicationProtocol.Http2, tls.NegotiatedApplicationProtocol);

        var request = "GET /alice HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await tls.WriteAsync(Encoding.ASCII.GetBytes(request), cts.Token);
        var buffer = new byte[256];
        var read = await tls.ReadAsync(buffer, cts.Token);
        Assert.StartsWith("HTTP/1.1 101 ", Encoding.ASCII.GetString(buffer, 0, read), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plain_tcp_to_the_tls_port_gets_no_websocket()
    {
        await using var server = await TestServer.StartAsync("--tls-cert", _pem.CertificatePath, "--tls-key", _pem.KeyPath);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", server.Port, cts.Token);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /alice HTTP/1.1\r\nHost: x\r\n\r\n"), cts.Token);
        var buffer = new byte[256];
        int read;
        try
        {
            read = await stream.ReadAsync(buffer, cts.Token);
        }
        catch (IOException)
        {
            read = 0;
        }

        Assert.DoesNotContain("HTTP/1.1 101", Encoding.ASCII.GetString(buffer, 0, read), StringComparison.Ordinal);
    }
}
