using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.FileProviders;
using PipeChat.Server.Connections;
using PipeChat.Server.Diagnostics;
using PipeChat.Server.Http.Admin;
using PipeChat.Server.Http.Api;

namespace PipeChat.Server.Http;

/// <summary>
/// What the HTTP port serves, on ASP.NET Core's pipeline: the server API under /api/
/// (<see cref="ApiRoutes"/>), /metrics (the "PipeChat" meter as Prometheus text), /healthz,
/// the web demo (wwwroot), the admin dashboard (wwwroot/admin, <see cref="AdminRoutes"/>) and /config.json, which tells the demo page where the WebSocket port is.
/// </summary>
internal static class HttpSite
{
    /// <summary>Adds the HTTP port's middleware and endpoints to <paramref name="app"/> (the WebSocket port runs PipeChat's own connection handler, not this pipeline).</summary>
    public static void Map(WebApplication app, ServerContext server, ApiHandlers? api, AdminHandlers? admin)
    {
        AdminRoutes.UseSlashRedirect(app);
        var wwwroot = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        if (Directory.Exists(wwwroot))
        {
            var files = new PhysicalFileProvider(wwwroot);
            app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
            app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        }

        app.MapGet("/healthz", () => Results.Text(Health.Text(server.ShuttingDown, server.Degraded).ToArray(), "text/plain; charset=utf-8", statusCode: server.ShuttingDown ? 503 : 200));
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapGet("/config.json", () => Results.Json(new DemoConfig(server.Options.Port, server.Options.TlsCert is null ? "ws" : "wss", server.Options.HttpPort), DemoConfig.Json));
        AdminRoutes.Map(app, admin);
        ApiRoutes.Map(app, api);
    }
}
