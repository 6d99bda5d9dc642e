using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PipeChat.Server.Tests.Interop;

/// <summary>A throwaway self-signed certificate for localhost/127.0.0.1, written as cert.pem and key.pem in a temp folder.</summary>
public sealed class SelfSignedPemPair : IDisposable
{
    private SelfSignedPemPair(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }

    public string CertificatePath => Path.Combine(Directory, "cert.pem");

    public string KeyPath => Path.Combine(Directory, "key.pem");

    public static SelfSignedPemPair Create()
    {
        var pair = new SelfSignedPemPair(System.IO.Directory.CreateTempSubdirectory("pipechat-tls-").FullName);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));

        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        File.WriteAllText(pair.CertificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(pair.KeyPath, key.ExportPkcs8PrivateKeyPem());
        return pair;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
