using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace PipeChat.Server.Http.Admin;

/// <summary>
/// The admin dashboard: its page is the static <c>/admin/</c> (wwwroot/admin, no data in it), its
/// data comes from GET /api/admin/overview, /api/admin/rooms and /api/admin/room behind the API
/// key, like the rest of the server API; with no key configured they answer 404 with the API.
/// </summary>
internal static class AdminRoutes
{
    /// <summary>
    /// Sends /admin to /admin/ (the page's relative links need the slash). A middleware, not a
    /// route: a route for /admin would also match /admin/ and win over the static page.
    /// </summary>
    public static void UseSlashRedirect(IApplicationBuilder app)
        => app.Use(static (context, next) =>
        {
            if (context.Request.Path.Value == "/admin")
            {
                context.Response.Redirect("/admin/" + context.Request.QueryString);
                return Task.CompletedTask;
            }

            return next(context);
        });

    public static void Map(IEndpointRouteBuilder routes, AdminHandlers? handlers)
    {
        if (handlers is null)
        {
            return;
        }

        var admin = routes.MapGroup("/api/admin");
        admin.MapGet("/overview", (Func<HttpContext, IResult>)handlers.Overview);
        admin.MapGet("/rooms", (Func<HttpContext, IResult>)handlers.Rooms);
        admin.MapGet("/room", (Func<HttpContext, Task<IResult>>)handlers.Room);
    }
}
