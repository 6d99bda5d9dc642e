using PipeChat.Protocol.Handshake;

namespace PipeChat.Server.Connections;

/// <summary>
/// What a handshake keeps across an await: an asynchronous credential check (the decision, the
/// key and the deflate agreement for the 101), or the bytes of a refused request's body to drain. Allocated only on those paths, so an open connection holds none of it.
/// </summary>
internal sealed class PendingHandshake
{
    public IWebSocketApplication? Application;
    public AcceptDecision Accept;
    public byte[]? Key;
    public DeflateAgreement? Deflate;
    public long DrainBytes;
}
