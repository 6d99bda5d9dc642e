using System.Net.Http.Headers;
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

/// <summary>Calls the server API on the HTTP port the way a backend would (HttpClient).</summary>
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
}
