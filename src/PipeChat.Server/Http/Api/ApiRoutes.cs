using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace PipeChat.Server.Http.Api;

/// <summary>The server API's routes under /api/ (docs/api.md); with no key configured, every /api/ path answers 404.</summary>
internal static class ApiRoutes
{
    private static readonly (string Path, ApiEndpoint Endpoint)[] Endpoints =
    [
        ("publish", ApiEndpoint.Publish),
        ("notice", ApiEndpoint.Notice),
        ("broadcast", ApiEndpoint.Broadcast),
        ("disconnect", ApiEndpoint.Disconnect),
        ("members", ApiEndpoint.Members),
        ("online", ApiEndpoint.Online),
        ("stats", ApiEndpoint.Stats),
        ("mute", ApiEndpoint.Mute),
        ("ban", ApiEndpoint.Ban),
        ("recall", ApiEndpoint.Recall),
        ("readonly", ApiEndpoint.ReadOnly),
        ("room-rate", ApiEndpoint.RoomRate),
        ("room-host", ApiEndpoint.RoomHost),
    ];

    public static void Map(IEndpointRouteBuilder routes, ApiHandlers? handlers)
    {
        var api = routes.MapGroup("/api");
        if (handlers is null)
        {
            api.Map("/{**rest}", () => new ApiProblem(404, ApiProblemCodes.NotFound, "the server API is off: start the server with --api-key"));
            return;
        }

        foreach (var (path, endpoint) in Endpoints)
        {
            string[] methods = endpoint == ApiEndpoint.Stats ? ["GET", "POST"] : ["POST"];
            api.MapMethods("/" + path, methods, (Func<HttpContext, Task<IResult>>)(context => handlers.HandleAsync(endpoint, context)));
        }

        // Reached by a known path with another method, or by an unknown path.
        api.Map("/{**rest}", (string? rest) => Array.Exists(Endpoints, e => e.Path == rest)
            ? ApiProblem.MethodNotAllowed(getAllowed: rest == "stats")
            : new ApiProblem(404, ApiProblemCodes.NotFound, "no such API endpoint (see docs/api.md)"));
    }
}
