using System.Net;
using System.Net.Sockets;
using PipeChat.Server.Transport;

namespace PipeChat.Server.Tests.Transport;

/// <summary>A lean transport connection over a real loopback socket pair, and the peer's end of it.</summary>
internal static class LoopbackLeanConnection
{
    public static async Task<(Socket Peer, LeanSocketConnection Connection)> CreateAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var peer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var connect = peer.ConnectAsync(listener.LocalEndPoint!);
        var accepted = await listener.AcceptAsync();
        await connect;
        return (peer, new LeanSocketConnection(accepted));
    }
}
