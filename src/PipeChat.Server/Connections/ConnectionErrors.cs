using Microsoft.AspNetCore.Connections;

namespace PipeChat.Server.Connections;

/// <summary>Which exceptions mean only that the peer went away or the connection was aborted (nothing to report).</summary>
internal static class ConnectionErrors
{
    public static bool Is(Exception ex)
        => ex is ConnectionAbortedException or ConnectionResetException or IOException or OperationCanceledException or ObjectDisposedException
            or System.Net.Sockets.SocketException; // the lean transport's zero-byte waits surface them raw
}
