using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging;
using PipeChat.Server.Configuration;
using PipeChat.Server.Hosting;
using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Limits;

/// <summary>
/// A renewed certificate is served without a restart (<c>--tls-reload-seconds</c>), a half-written
/// pair keeps the old one, and the certificate file's chain is sent in the handshake.
/// </summary>
public sealed class TlsReloadTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pipechat-tls-reload-").FullName;

    private string CertPath => Path.Combine(_directory, "fullchain.pem");

    private string KeyPath => Path.Combine(_directory, "privkey.pem");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task New_handshakes_get_the_renewed_certificate_and_open_connections_keep_working()
    {
        var first = Issue("CN=first");
        WritePair(first);
        await using var server = await TestServer.StartAsync("--tls-cert", CertPath, "--tls-key", KeyPath, "--tls-reload-seconds", "1");
        Assert.Equal(first.Leaf.Thumbprint, (await HandshakeAsync(server.Port)).Leaf.Thumbprint);

        using var open = new ClientWebSocket();
        open.Options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await open.ConnectAsync(server.WebSocketUri("/alice"), cts.Token);
        var welcome = await ReceiveTextAsync(open, cts.Token);
        Assert.Contains("welcome", welcome, StringComparison.Ordinal);

        var second = Issue("CN=second");
        WritePair(second);
        await Eventually.UntilAsync(
            async () => (await HandshakeAsync(server.Port)).Leaf.Thumbprint == second.Leaf.Thumbprint,
            TimeSpan.FromSeconds(20),
            "a new handshake presenting the renewed certificate");

        // The connection made before the renewal still works.
        await open.SendAsync(Encoding.UTF8.GetBytes("""{"type":"join","data":{"roomid":"r1"}}"""), WebSocketMessageType.Text, true, cts.Token);
        Assert.Contains("joined", await ReceiveTextAsync(open, cts.Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_intermediate_in_the_certificate_file_is_sent_in_the_handshake()
    {
        var pair = Issue("CN=chained");
        WritePair(pair);
        await using var server = await TestServer.StartAsync("--tls-cert", CertPath, "--tls-key", KeyPath);

        var seen = await HandshakeAsync(server.Port);

        Assert.Equal(pair.Leaf.Thumbprint, seen.Leaf.Thumbprint);
        Assert.Contains(seen.Sent, c => c.Thumbprint == pair.Intermediate.Thumbprint);
    }

    [Fact]
    public void A_pair_that_does_not_load_keeps_the_previous_certificate_and_warns_once()
    {
        var first = Issue("CN=first");
        WritePair(first);
        using var certificate = ReloadingCertificate.Load(CertPath, KeyPath);
        var logger = new CapturingLogger();
        certificate.Watch(TimeSpan.Zero, logger);

        // The certificate renewed, its key not written yet: they do not match.
        var second = Issue("CN=second");
        File.WriteAllText(CertPath, second.ChainPem);
        Assert.False(certificate.Check());
        Assert.False(certificate.Check());
        Assert.Equal(first.Leaf.Thumbprint, certificate.Certificate.Thumbprint);
        Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("do not load", StringComparison.Ordinal));

        File.WriteAllText(KeyPath, second.KeyPem);
        Assert.True(certificate.Check());
        Assert.Equal(second.Leaf.Thumbprint, certificate.Certificate.Thumbprint);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("CN=second", StringComparison.Ordinal));
        Assert.False(certificate.Check()); // unchanged files: nothing to do
    }

    [Fact]
    public void Files_that_are_not_a_pair_stop_the_start_up_naming_the_settings()
    {
        File.WriteAllText(CertPath, "not a certificate");
        File.WriteAllText(KeyPath, "not a key");

        var error = Assert.Throws<ConfigurationException>(() => PipeChatHost.Build(["--port", "0", "--tls-cert", CertPath, "--tls-key", KeyPath]));

        Assert.Contains("--tls-cert", error.Message, StringComparison.Ordinal);
        Assert.Contains("--tls-key", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("86401")]
    [InlineData("soon")]
    public void A_bad_reload_period_stops_the_start_up_naming_the_setting(string value)
    {
        var error = Assert.Throws<ConfigurationException>(() => PipeChatHost.Build(["--port", "0", "--tls-reload-seconds", value]));
        Assert.Contains("--tls-reload-seconds", error.Message, StringComparison.Ordinal);
    }

    private void WritePair(Issued pair)
    {
        // Key first, then the chain, as renewal tools do; each file replaced whole.
        File.WriteAllText(KeyPath + ".tmp", pair.KeyPem);
        File.Move(KeyPath + ".tmp", KeyPath, overwrite: true);
        File.WriteAllText(CertPath + ".tmp", pair.ChainPem);
        File.Move(CertPath + ".tmp", CertPath, overwrite: true);
    }

    private static async Task<(X509Certificate2 Leaf, X509Certificate2[] Sent)> HandshakeAsync(int port)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port, cts.Token);
        X509Certificate2[] sent = [];
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, chain, _) =>
        {
            sent = chain?.ChainPolicy.ExtraStore.Cast<X509Certificate2>().Select(c => X509CertificateLoader.LoadCertificate(c.RawData)).ToArray() ?? [];
            return true;
        });
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, cts.Token);
        return (X509CertificateLoader.LoadCertificate(tls.RemoteCertificate!.GetRawCertData()), sent);
    }

    private static async Task<string> ReceiveTextAsync(ClientWebSocket socket, CancellationToken token)
    {
        var buffer = new byte[4096];
        var result = await socket.ReceiveAsync(buffer, token);
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }

    private sealed record Issued(X509Certificate2 Leaf, X509Certificate2 Intermediate, string ChainPem, string KeyPem);

    /// <summary>A root, an intermediate signed by it, and a leaf for localhost signed by the intermediate.</summary>
    private static Issued Issue(string subject)
    {
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest("CN=PipeChat test root", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var root = rootRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var intermediateRequest = new CertificateRequest("CN=PipeChat test intermediate", intermediateKey, HashAlgorithmName.SHA256);
        intermediateRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        intermediateRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(intermediateRequest.PublicKey, false));
        using var intermediatePublic = intermediateRequest.Create(root, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(20), RandomNumberGenerator.GetBytes(8));
        using var intermediate = intermediatePublic.CopyWithPrivateKey(intermediateKey);

        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest(subject, leafKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        leafRequest.CertificateExtensions.Add(names.Build());
        leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var leaf = leafRequest.Create(intermediate, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10), RandomNumberGenerator.GetBytes(8));

        var chainPem = leaf.ExportCertificatePem() + "\n" + intermediatePublic.ExportCertificatePem() + "\n";
        return new Issued(leaf, X509CertificateLoader.LoadCertificate(intermediatePublic.RawData), chainPem, leafKey.ExportPkcs8PrivateKeyPem());
    }
}
