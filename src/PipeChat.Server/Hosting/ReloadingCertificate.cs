using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using PipeChat.Server.Configuration;

namespace PipeChat.Server.Hosting;

/// <summary>
/// The TLS certificate of <c>--tls-cert</c>/<c>--tls-key</c>, reloaded when the files change so a
/// renewed certificate (certbot, acme.sh, a secrets agent) is served without a restart. Every
/// <c>--tls-reload-seconds</c> it reads both files and, when their bytes differ from the ones
/// loaded, loads the pair; a pair that does not load (the certificate written, the key not yet)
/// is logged once and retried, and the previous certificate stays in use. Handshakes already
/// under way and open connections keep the certificate they started with.
/// The certificate file may hold the chain (leaf first, then intermediates, as certbot's
/// fullchain.pem): the intermediates are sent in the handshake, which WeChat's Android clients
/// need. Per load, the certificate context (chain built once) and the handshake options are
/// made once and shared by every handshake.
/// </summary>
internal sealed partial class ReloadingCertificate : IDisposable
{
    private static readonly List<SslApplicationProtocol> Http11Only = [SslApplicationProtocol.Http11];
    private static readonly List<SslApplicationProtocol> Http2AndHttp11 = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];

    private readonly string _certPath;
    private readonly string _keyPath;
    private ILogger _logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private Timer? _timer;
    private Loaded _current;
    private byte[] _failedHash = [];
    private int _checking;

    private ReloadingCertificate(string certPath, string keyPath, Loaded first)
    {
        _certPath = certPath;
        _keyPath = keyPath;
        _current = first;
    }

    /// <summary>The certificate in use now.</summary>
    public X509Certificate2 Certificate => _current.Certificate;

    /// <summary>Loads the pair; a pair that does not load stops the start-up naming the setting.</summary>
    /// <exception cref="ConfigurationException">The files are not a matching PEM certificate and key.</exception>
    public static ReloadingCertificate Load(string certPath, string keyPath)
    {
        var (cert, key) = ReadBoth(certPath, keyPath);
        try
        {
            return new ReloadingCertificate(certPath, keyPath, Loaded.From(cert, key));
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            throw new ConfigurationException($"cannot load --tls-cert '{certPath}' with --tls-key '{keyPath}': {ex.Message}");
        }
    }

    /// <summary>Starts checking the files every <paramref name="period"/> (zero: never), logging reloads to <paramref name="logger"/>.</summary>
    public void Watch(TimeSpan period, ILogger logger)
    {
        _logger = logger;
        if (period > TimeSpan.Zero)
        {
            _timer = new Timer(static state => ((ReloadingCertificate)state!).Check(), this, period, period);
        }
    }

    /// <summary>The handshake options for a listener: HTTP/1.1 only (the WebSocket port) or HTTP/2 and HTTP/1.1 by ALPN.</summary>
    public SslServerAuthenticationOptions OptionsFor(bool http2) => http2 ? _current.Http2Options : _current.Http11Options;

    /// <summary>Reads the files and swaps in the pair when it changed and loads; returns whether it swapped.</summary>
    public bool Check()
    {
        if (Interlocked.Exchange(ref _checking, 1) == 1)
        {
            return false;
        }

        try
        {
            byte[] cert;
            byte[] key;
            try
            {
                (cert, key) = ReadBoth(_certPath, _keyPath);
            }
            catch (ConfigurationException ex)
            {
                return NoteFailure(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ex.Message)), ex.Message);
            }

            var hash = Loaded.Hash(cert, key);
            if (hash.AsSpan().SequenceEqual(_current.FileHash))
            {
                _failedHash = [];
                return false;
            }

            try
            {
                var next = Loaded.From(cert, key);
                _current = next;
                _failedHash = [];
                CertificateReloaded(_logger, next.Certificate.Subject, next.Certificate.NotAfter.ToUniversalTime(), next.Certificate.Thumbprint);
                return true;
            }
            catch (Exception ex) when (ex is CryptographicException or ArgumentException)
            {
                return NoteFailure(hash, ex.Message);
            }
        }
        finally
        {
            Volatile.Write(ref _checking, 0);
        }
    }

    public void Dispose() => _timer?.Dispose();

    private bool NoteFailure(byte[] hash, string reason)
    {
        if (!hash.AsSpan().SequenceEqual(_failedHash))
        {
            _failedHash = hash;
            CertificateReloadFailed(_logger, _certPath, _keyPath, reason);
        }

        return false;
    }

    private static (byte[] Cert, byte[] Key) ReadBoth(string certPath, string keyPath)
    {
        try
        {
            return (File.ReadAllBytes(certPath), File.ReadAllBytes(keyPath));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"cannot read --tls-cert '{certPath}' or --tls-key '{keyPath}': {ex.Message}");
        }
    }

    [LoggerMessage(150, LogLevel.Information, "TLS certificate reloaded: {Subject}, valid until {NotAfter:u}, thumbprint {Thumbprint}")]
    private static partial void CertificateReloaded(ILogger logger, string subject, DateTime notAfter, string thumbprint);

    [LoggerMessage(151, LogLevel.Warning, "TLS certificate files changed but do not load (--tls-cert '{CertPath}', --tls-key '{KeyPath}'): {Reason}; still serving the previous certificate, retrying")]
    private static partial void CertificateReloadFailed(ILogger logger, string certPath, string keyPath, string reason);

    /// <summary>One loaded pair and what handshakes need from it, made once.</summary>
    private sealed class Loaded
    {
        private Loaded(X509Certificate2 certificate, byte[] fileHash, SslStreamCertificateContext context)
        {
            Certificate = certificate;
            FileHash = fileHash;
            Http11Options = NewOptions(context, Http11Only);
            Http2Options = NewOptions(context, Http2AndHttp11);
        }

        public X509Certificate2 Certificate { get; }

        public byte[] FileHash { get; }

        public SslServerAuthenticationOptions Http11Options { get; }

        public SslServerAuthenticationOptions Http2Options { get; }

        public static byte[] Hash(byte[] cert, byte[] key)
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            sha.AppendData(cert);
            sha.AppendData(key);
            return sha.GetHashAndReset();
        }

        public static Loaded From(byte[] certPem, byte[] keyPem)
        {
            var certText = System.Text.Encoding.UTF8.GetString(certPem);
            var keyText = System.Text.Encoding.UTF8.GetString(keyPem);
            var leaf = X509Certificate2.CreateFromPem(certText, keyText);
            var chain = new X509Certificate2Collection();
            chain.ImportFromPem(certText);
            var intermediates = new X509Certificate2Collection();
            foreach (var certificate in chain)
            {
                if (certificate.Thumbprint != leaf.Thumbprint)
                {
                    intermediates.Add(certificate);
                }
            }

            // offline: the chain is built from the file's certificates (and the system's roots), never fetched.
            var context = SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
            return new Loaded(leaf, Hash(certPem, keyPem), context);
        }

        private static SslServerAuthenticationOptions NewOptions(SslStreamCertificateContext context, List<SslApplicationProtocol> protocols) => new()
        {
            ServerCertificateContext = context,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            // Set here so Kestrel leaves the shared options alone (it fills ALPN only when null).
            ApplicationProtocols = protocols,
            AllowRenegotiation = false,
            ClientCertificateRequired = false,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
    }
}
