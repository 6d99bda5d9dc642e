using System.Buffers.Text;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using PipeChat.LoadTest.Metrics;
using PipeChat.LoadTest.Options;

namespace PipeChat.LoadTest.Scenarios;

/// <summary>
/// The api scenario's senders: <c>Senders</c> loops that POST room messages to the server API
/// (/api/publish on the server's HTTP port, docs/api.md) while the WebSocket members of the room
/// receive them. The senders share one HttpClient whose connections stay alive (one per sender
/// at most), as an app backend's would. A message carries the same
/// <c>"lt":[sender,sequence,timestamp]</c> as the socket scenarios, so delivery, latency,
/// duplicates and seq gaps are checked by the members exactly as for fan-out. A request counts as
/// sent (and each member's copy as expected) once the API answered 200; anything else is an error.
/// Open loop (rate 0): each sender starts its next request when the last one is answered.
/// </summary>
internal sealed class ApiPublisher(LoadTestOptions options, RunCounters counters)
{
    private static readonly TimeSpan s_requestTimeout = TimeSpan.FromSeconds(10);

    /// <summary>/api/publish on --api-url, or on port 3002 of the --url host.</summary>
    public static Uri PublishUri(LoadTestOptions options)
    {
        var baseUri = options.ApiUrl.Length > 0
            ? new Uri(options.ApiUrl)
            : new UriBuilder("http", options.Url.Host, 3002).Uri;
        return new Uri(baseUri, "/api/publish");
    }

    public async Task RunAsync(Func<bool> running, CancellationToken cancellationToken)
    {
        var perSender = options.Rate > 0 ? options.Rate / options.Senders : 0;
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = options.Senders, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };
        using var http = new HttpClient(handler) { Timeout = s_requestTimeout };
        var uri = PublishUri(options);
        await Task.WhenAll(Enumerable.Range(0, options.Senders).Select(s => Task.Run(() => SendLoopAsync(http, uri, s, perSender, running, cancellationToken), CancellationToken.None)));
    }

    private async Task SendLoopAsync(HttpClient http, Uri uri, int sender, double rate, Func<bool> running, CancellationToken cancellationToken)
    {
        var roomId = ChatWorkload.RoomId(options, 0);
        var prefix = Encoding.UTF8.GetBytes($"{{\"roomid\":\"{roomId}\",\"from\":\"{options.IdPrefix}api{sender}\",\"data\":{{\"lt\":[");
        var suffix = Encoding.UTF8.GetBytes($"],\"p\":\"{new string('x', options.PayloadBytes)}\"}}}}");
        var body = new byte[prefix.Length + suffix.Length + 64];
        var authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
        var start = Stopwatch.GetTimestamp();
        long sequence = 0;
        while (running() && !cancellationToken.IsCancellationRequested)
        {
            if (rate > 0)
            {
                var ahead = TimeSpan.FromSeconds(sequence / rate) - Stopwatch.GetElapsedTime(start);
                if (ahead > TimeSpan.FromMilliseconds(1))
                {
                    try
                    {
                        await Task.Delay(ahead, cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
            }

            sequence++;
            var length = Build(body, prefix, suffix, sender, sequence, Stopwatch.GetTimestamp());
            var status = await PostAsync(http, uri, authorization, body.AsMemory(0, length));
            if (status == 200)
            {
                Interlocked.Increment(ref counters.Sent);
                Interlocked.Add(ref counters.Expected, options.Members);
            }
            else
            {
                counters.Error(status > 0 ? "api:" + status.ToString(System.Globalization.CultureInfo.InvariantCulture) : "api:io");
            }
        }
    }

    private static int Build(byte[] body, byte[] prefix, byte[] suffix, int sender, long sequence, long timestamp)
    {
        var span = body.AsSpan();
        prefix.CopyTo(span);
        var at = prefix.Length;
        Utf8Formatter.TryFormat(sender, span[at..], out var written);
        at += written;
        span[at++] = (byte)',';
        Utf8Formatter.TryFormat(sequence, span[at..], out written);
        at += written;
        span[at++] = (byte)',';
        Utf8Formatter.TryFormat(timestamp, span[at..], out written);
        at += written;
        suffix.CopyTo(span[at..]);
        return at + suffix.Length;
    }

    /// <summary>One request on a pooled connection; the HTTP status, -1 on a connection error or timeout.</summary>
    private static async Task<int> PostAsync(HttpClient http, Uri uri, AuthenticationHeaderValue authorization, ReadOnlyMemory<byte> body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ReadOnlyMemoryContent(body) };
        request.Headers.Authorization = authorization;
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        try
        {
            using var response = await http.SendAsync(request);
            await response.Content.LoadIntoBufferAsync();
            return (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return -1;
        }
    }
}
