using System.IO.Pipelines;
using System.Net.Sockets;
using PipeChat.Server.Transport;

namespace PipeChat.Server.Tests.Transport;

/// <summary>The lean transport offers direct socket access as a connection feature, and only while nothing sits in between.</summary>
public sealed class DirectSocketFeatureTests : IAsyncLifetime
{
    private Socket _peer = null!;
    private LeanSocketConnection _connection = null!;

    public async Task InitializeAsync() => (_peer, _connection) = await LoopbackLeanConnection.CreateAsync();

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        _peer.Dispose();
    }

    [Fact]
    public async Task The_feature_sends_gathered_buffers_to_the_socket()
    {
        var direct = _connection.Features.Get<IDirectSocketFeature>();
        Assert.NotNull(direct);
        Assert.Contains(_connection.Features, pair => pair.Key == typeof(IDirectSocketFeature));

        await direct.SendAsync([new ArraySegment<byte>([1, 2]), new ArraySegment<byte>([3])], 3);

        var received = new byte[3];
        var count = 0;
        while (count < 3)
        {
            count += await _peer.ReceiveAsync(received.AsMemory(count));
        }

        Assert.Equal(new byte[] { 1, 2, 3 }, received);
    }

    [Fact]
    public void The_feature_is_withdrawn_once_middleware_replaces_the_transport()
    {
        _connection.Transport = new Wrapped(_connection.Transport);

        Assert.Null(_connection.Features.Get<IDirectSocketFeature>());
        Assert.DoesNotContain(_connection.Features, pair => pair.Key == typeof(IDirectSocketFeature));
    }

    private sealed class Wrapped(IDuplexPipe inner) : IDuplexPipe
    {
        public PipeReader Input => inner.Input;

        public PipeWriter Output => inner.Output;
    }
}
