using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Interop;

/// <summary>Two echo servers for the interop clients: one plain (ws) and one with a test certificate (wss).</summary>
public sealed class InteropServersFixture : IAsyncLifetime
{
    private SelfSignedPemPair? _pem;
    private TestServer? _plain;
    private TestServer? _tls;

    public Uri EchoUri(string transport) => transport switch
    {
        "ws" => Started(_plain).WebSocketUri("/echo"),
        "wss" => Started(_tls).WebSocketUri("/echo"),
        _ => throw new ArgumentOutOfRangeException(nameof(transport), transport, "ws or wss"),
    };

    public async Task InitializeAsync()
    {
        string[] echo = ["--echo-path", "/echo", "--max-message-bytes", (4 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture)];
        _pem = SelfSignedPemPair.Create();
        _plain = await TestServer.StartAsync(echo);
        _tls = await TestServer.StartAsync([.. echo, "--tls-cert", _pem.CertificatePath, "--tls-key", _pem.KeyPath]);
        Assert.StartsWith("wss://", _tls.WebSocketUri("/echo").AbsoluteUri, StringComparison.Ordinal);
    }

    public async Task DisposeAsync()
    {
        if (_tls is not null)
        {
            await _tls.DisposeAsync();
        }

        if (_plain is not null)
        {
            await _plain.DisposeAsync();
        }

        _pem?.Dispose();
    }

    private static TestServer Started(TestServer? server) => server ?? throw new InvalidOperationException("servers not started");
}
