namespace PipeChat.Server.Tests.Conformance;

/// <summary>The echo server of <see cref="EchoServerFixture"/> on Kestrel's sockets transport, the one wss:// uses.</summary>
public sealed class KestrelEchoServerFixture : EchoServerFixture
{
    public override string Transport => "kestrel";
}
