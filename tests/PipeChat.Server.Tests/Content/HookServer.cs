using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PipeChat.Server.Tests.Content;

/// <summary>A publish hook for tests: a Kestrel app on a free loopback port whose answer a test supplies; it records every request it got.</summary>
internal sealed class HookServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HookServer(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    /// <summary>Every request body, parsed, in the order they arrived.</summary>
    public ConcurrentQueue<JsonElement> Requests { get; } = new();

    /// <summary>Requests being answered right now, and the most at once.</summary>
    public int InFlight;
    public int MaxInFlight;

    /// <param name="answer">Gets the parsed request; returns the status and body to answer with.</param>
    public static async Task<HookServer> StartAsync(Func<JsonElement, Task<(int Status, string Body)>> answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        HookServer? self = null;
        app.MapPost("/hook", async (HttpContext context) =>
        {
            var now = Interlocked.Increment(ref self!.InFlight);
            InterlockedMax(ref self.MaxInFlight, now);
            try
            {
                using var document = await JsonDocument.ParseAsync(context.Request.Body);
                var request = document.RootElement.Clone();
                self.Requests.Enqueue(request);
                var (status, body) = await answer(request);
                context.Response.StatusCode = status;
                if (body.Length > 0)
                {
                    context.Response.ContentType = "application/json";
                    await context.Response.WriteAsync(body);
                }
            }
            finally
            {
                Interlocked.Decrement(ref self.InFlight);
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new HookServer(app, address + "/hook");
        return self;
    }

    public static Task<(int, string)> Allow(JsonElement _) => Task.FromResult((200, """{"action":"allow"}"""));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
