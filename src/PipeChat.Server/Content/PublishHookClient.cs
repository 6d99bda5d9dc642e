using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace PipeChat.Server.Content;

/// <summary>
/// Asks the app backend's publish hook about one room message: POST
/// <c>{"roomid","from","data"}</c> as JSON, read the verdict (<see cref="HookVerdict.Parse"/>).
/// One <see cref="HttpClient"/> over one pooled <see cref="SocketsHttpHandler"/> for the life of
/// the server: connections to the hook are kept alive and reused by every room. Never throws:
/// whatever goes wrong (refused, reset, timed out, a status other than 200/204, a bad body)
/// comes back as a failed verdict, within the timeout.
/// </summary>
internal sealed class PublishHookClient : IDisposable
{
    /// <summary>Connections open to the hook at most; more calls wait for one (within their timeout).</summary>
    public const int MaxConnections = 256;

    private static readonly MediaTypeHeaderValue s_json = new("application/json");

    private readonly HttpClient _http;
    private readonly Uri _url;
    private readonly TimeSpan _timeout;

    public PublishHookClient(Uri url, TimeSpan timeout, int maxAnswerBytes)
    {
        _url = url;
        _timeout = timeout;
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = MaxConnections,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5), // follows DNS changes of the hook's host
            ConnectTimeout = timeout,
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        _http = new HttpClient(handler)
        {
            Timeout = Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = maxAnswerBytes,
            DefaultRequestVersion = HttpVersion.Version11,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("PipeChat-publish-hook/1");
    }

    public async Task<HookVerdict> CheckAsync(string roomId, string from, byte[] data)
    {
        using var timeout = new CancellationTokenSource(_timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = new ByteArrayContent(Body(roomId, from, data)) };
            request.Content.Headers.ContentType = s_json;
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NoContent)
            {
                return HookVerdict.Allow;
            }

            if (response.StatusCode != HttpStatusCode.OK)
            {
                return HookVerdict.Failed("status " + (int)response.StatusCode);
            }

            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            return HookVerdict.Parse(body);
        }
        catch (OperationCanceledException)
        {
            return HookVerdict.Failed("timed out");
        }
        catch (HttpRequestException ex)
        {
            return HookVerdict.Failed("unreachable: " + ex.Message);
        }
    }

    /// <summary><c>{"roomid":"r1","from":"alice","data":&lt;data as sent&gt;}</c></summary>
    public static byte[] Body(string roomId, string from, ReadOnlySpan<byte> data)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64 + (roomId.Length * 6) + (from.Length * 6) + data.Length);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("roomid"u8, roomId);
            writer.WriteString("from"u8, from);
            writer.WritePropertyName("data"u8);
            writer.WriteRawValue(data, skipInputValidation: true);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public void Dispose() => _http.Dispose();
}
