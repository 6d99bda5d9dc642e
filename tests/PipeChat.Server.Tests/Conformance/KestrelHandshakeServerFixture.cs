namespace PipeChat.Server.Tests.Conformance;

/// <summary>The server of <see cref="HandshakeServerFixture"/> on Kestrel's sockets transport, the one wss:// uses.</summary>
public sealed class KestrelHandshakeServerFixture : HandshakeServerFixture
{
    public override string Transport => "kestrel";
}
