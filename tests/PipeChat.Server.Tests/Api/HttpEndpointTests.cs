using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using PipeChat.Server.Tests.Chat;
using PipeChat.Server.Tests.Interop;
using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Api;

/// <summary>
/// The HTTP port as an HTTP server: keep-alive, chunked request bodies, HTTP/2 over TLS,
/// problem+json errors; and the WebSocket port pointing there for everything but /healthz.
/// </summary>
public sealed class HttpEndpointTests
{
    [Fact]
    public async Task Many_requests_share_one_kept_alive_connection()
    {
        await using var server = await TestServer.StartAsync(ApiClient.ServerArgs);
        var connects = 0;
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1,
            ConnectCallback = async (context, token) =>
            {
                Interlocked.Increment(ref connects);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(context.DnsEndPoint, token);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var http = new HttpClient(handler) { Timeout = ChatClient.DefaultTimeout };

        for (var i = 1; i <= 20; i++)
        {
            using var response = await http.SendAsync(Post(server, "/api/publish", $$"""{"roomid":"r1","from":"system","data":{{i}}}"""));
            Assert.Equal($$"""{"seq":{{i}}}""", await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(1, connects);
    }

    [Fact]
    public async Task A_chunked_body_is_read_whole()
    {
        await using var server = await TestServer.StartAsync(ApiClient.ServerArgs);
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        using var http = new HttpClient { Timeout = ChatClient.DefaultTimeout };
        var request = Post(server, "/api/notice", """{"id":"alice","from":"shop","data":{"text":"chunked"}}""", chunked: true);

        using var response = await http.SendAsync(request);

        Assert.True(request.Headers.TransferEncodingChunked);
        Assert.Equal((HttpStatusCode.OK, """{"online":true}"""), (response.StatusCode, await response.Content.ReadAsStringAsync()));
        Assert.Equal("""{"type":"notice","from":"shop","data":{"text":"chunked"}}""", (await alice.ExpectAsync(Messages.OfType("notice"))).Raw);
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_gets_413_problem()
    {
        await using var server = await TestServer.StartAsync([.. ApiClient.ServerArgs, "--api-max-body-bytes", "1024"]);
        using var http = new HttpClient { Timeout = ChatClient.DefaultTimeout };
        var body = $$"""{"roomid":"r1","from":"x","data":"{{new string('a', 2000)}}"}""";

        using var response = await http.SendAsync(Post(server, "/api/publish", body, chunked: true));
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("too_large", problem.Str("code"));
        Assert.Equal(413, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Errors_are_problem_json_with_type_title_status_detail_and_code()
    {
        await using var server = await TestServer.StartAsync(ApiClient.ServerArgs);

        var missing = await ApiClient.PostAsync(server.HttpPort, "/api/publish", """{"roomid":"r1","data":1}""");
        var unauthorized = await ApiClient.PostAsync(server.HttpPort, "/api/publish", "{}", key: null);

        Assert.Equal("application/problem+json", missing.ContentType);
        Assert.Equal(
            """{"type":"urn:pipechat:api:missing_field","title":"Bad Request","status":400,"detail":"from is required","code":"missing_field","field":"from"}""",
            missing.Body);
        Assert.Equal(401, unauthorized.Status);
        Assert.Equal("Bearer realm=\"pipechat-api\"", unauthorized.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task With_tls_the_http_port_speaks_http2()
    {
        using var pem = SelfSignedPemPair.Create();
        await using var server = await TestServer.StartAsync([.. ApiClient.ServerArgs, "--tls-cert", pem.CertificatePath, "--tls-key", pem.KeyPath]);
        using var handler = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } };
        using var http = new HttpClient(handler)
        {
            Timeout = ChatClient.DefaultTimeout,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        var request = Post(server, "/api/publish", """{"roomid":"r1","from":"system","data":1}""");
        request.Version = HttpVersion.Version20;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        using var response = await http.SendAsync(request);
        using var metrics = await http.GetAsync(server.HttpUri("/metrics"));

        Assert.Equal("https", server.HttpUri("/").Scheme);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("""{"seq":1}""", await response.Content.ReadAsStringAsync());
        Assert.Equal((HttpVersion.Version20, HttpStatusCode.OK), (metrics.Version, metrics.StatusCode));
    }

    [Fact]
    public async Task The_websocket_port_keeps_healthz_and_names_the_http_port_for_the_rest()
    {
        await using var server = await TestServer.StartAsync(ApiClient.ServerArgs);
        using var http = new HttpClient { Timeout = ChatClient.DefaultTimeout };

        using var health = await http.GetAsync(new Uri($"http://127.0.0.1:{server.Port}/healthz"));
        using var api = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, new Uri($"http://127.0.0.1:{server.Port}/api/stats")));
        using var metrics = await http.GetAsync(new Uri($"http://127.0.0.1:{server.Port}/metrics"));
        using var demo = await http.GetAsync(new Uri($"http://127.0.0.1:{server.Port}/"));
        using var httpHealth = await http.GetAsync(server.HttpUri("/healthz"));

        Assert.Equal((HttpStatusCode.OK, "ok\n"), (health.StatusCode, await health.Content.ReadAsStringAsync()));
        Assert.Equal((HttpStatusCode.OK, "ok\n"), (httpHealth.StatusCode, await httpHealth.Content.ReadAsStringAsync()));
        foreach (var response in new[] { api, metrics, demo })
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains($"HTTP port {server.HttpPort}", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_http_port_serves_the_web_demo_and_tells_it_the_websocket_port()
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient { Timeout = ChatClient.DefaultTimeout };

        using var page = await http.GetAsync(server.HttpUri("/"));
        var config = JsonDocument.Parse(await http.GetStringAsync(server.HttpUri("/config.json"))).RootElement;

        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("app.js", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(server.Port, config.GetProperty("webSocketPort").GetInt32());
        Assert.Equal("ws", config.Str("webSocketScheme"));
    }

    [Fact]
    public async Task Http_bind_off_opens_no_http_port()
    {
        await using var server = await TestServer.StartAsync("--http-bind", "off");
        using var http = new HttpClient { Timeout = ChatClient.DefaultTimeout };

        using var metrics = await http.GetAsync(new Uri($"http://127.0.0.1:{server.Port}/metrics"));

        Assert.Equal(0, server.HttpPort);
        Assert.Contains("--http-bind off", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static HttpRequestMessage Post(TestServer server, string path, string json, bool chunked = false)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, server.HttpUri(path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiClient.Key);
        if (chunked)
        {
            request.Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(json)));
            request.Headers.TransferEncodingChunked = true;
        }
        else
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return request;
    }
}
