using System.Buffers;

namespace PipeChat.Server.Http.Api;

/// <summary>
/// What is left of the API server that ran inside the WebSocket handshake: the type the
/// handshake's pending-API path still names (<c>ServerContext.Api</c>, never set now). The API
/// is served by <see cref="ApiHandlers"/> on the HTTP port; this goes with that path.
/// </summary>
internal sealed class ServerApi : IDisposable
{
    private ServerApi()
    {
    }

    public Task RunAsync(ApiRequest request, IBufferWriter<byte> output) => Task.CompletedTask;

    public void Dispose()
    {
    }
}
