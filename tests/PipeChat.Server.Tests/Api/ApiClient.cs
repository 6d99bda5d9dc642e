using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace PipeChat.Server.Tests.Api;

/// <summary>One API answer: status, content type, body text and, when JSON, the parsed body.</summary>
internal sealed record ApiResponse(int Status, string ContentType, string Body, HttpResponseHeaders Headers)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    /// <summary>The problem's stable code (problem+json bodies).</summary>
    public string? Code => Json.TryGetProperty("code", out var c) ? c.GetString() : null;

    public string? Field => Json.TryGetProperty("field", out var f) ? f.GetString() : null;

    public override string ToString() => $"{Status} {ContentType} {Body}";
}

/// <summary>Calls the server API over HTTP the way a backend would (HttpClient), or with raw bytes over TCP.</summary>
internal static class ApiClient
{
    public const string Key = "test-api-key-0123456789";

    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public static string[] ServerArgs => ["--api-key", Key];

    public static Task<ApiResponse> PostAsync(int port, string path, string json, string? key = Key, string header = "Authorization")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"http://127.0.0.1:{port}{path}"))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        return SendAsync(request, key, header);
    }

    public static Task<ApiResponse> GetAsync(int port, string path, string? key = Key)
        => SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{port}{path}")), key, "Authorization");

    private static async Task<ApiResponse> SendAsync(HttpRequestMessage request, string? key, string header)
    {
        using (request)
        {
            if (key is not null)
            {
                if (header == "Authorization")
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
                }
                else
                {
                    request.Headers.TryAddWithoutValidation(header, key);
                }
            }

            using var response = await s_http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            return new ApiResponse((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType ?? "", body, response.Headers);
        }
    }

    /// <summary>
    /// Sends raw request bytes over TCP (in the given pieces, with a pause between them) and
    /// returns the server's answer: read until its Content-Length is complete (or the server closed).
    /// </summary>
    public static async Task<string> RawAsync(int port, params byte[][] pieces)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        foreach (var piece in pieces)
        {
            await stream.WriteAsync(piece);
            await stream.FlushAsync();
            await Task.Delay(20);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var received = new MemoryStream();
        var buffer = new byte[8192];
        while (true)
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0)
            {
                break;
            }

            received.Write(buffer, 0, read);
            if (IsComplete(received.ToArray()))
            {
                break;
            }
        }

        return Encoding.UTF8.GetString(received.ToArray());
    }

    private static bool IsComplete(byte[] response)
    {
        var text = Encoding.Latin1.GetString(response);
        var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (headEnd < 0)
        {
            return false;
        }

        var marker = text.IndexOf("Content-Length: ", StringComparison.OrdinalIgnoreCase);
        if (marker < 0 || marker > headEnd)
        {
            return false;
        }

        var start = marker + "Content-Length: ".Length;
        var length = int.Parse(text.AsSpan(start, text.IndexOf('\r', start) - start), System.Globalization.CultureInfo.InvariantCulture);
        return response.Length >= headEnd + 4 + length;
    }

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>A POST request head (no body) with the API key.</summary>
    public static string Head(string path, string extraHeaders) =>
        $"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {Key}\r\n{extraHeaders}\r\n";
}
