using System.Net;

namespace PipeChat.Server.Transport;

/// <summary>
/// An address Kestrel should bind with the lean transport: the WebSocket port. Other endpoints of
/// the same server (the HTTP port, run by ASP.NET Core's HTTP stack, which cancels pending reads
/// on shutdown and keep-alive) stay on Kestrel's sockets transport.
/// </summary>
internal sealed class LeanEndPoint(IPAddress address, int port) : IPEndPoint(address, port);
