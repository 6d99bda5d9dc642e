using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace PipeChat.Server.Tests.Sessions;

/// <summary>
/// A connection over two in-memory pipes (the idea of Bedrock's duplex pipe pair): the server
/// side is a plain <see cref="ConnectionContext"/> with no transport features, the client side
/// the other ends of the pipes. Abort ends the server's reads as a transport abort would.
/// </summary>
internal sealed class InMemoryConnection : ConnectionContext
{
    private readonly Pipe _toServer = new(new PipeOptions(useSynchronizationContext: false));
    private readonly Pipe _toClient = new(new PipeOptions(useSynchronizationContext: false));
    private readonly TaskCompletionSource<string> _aborted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="wrapOutput">Wraps the server's output writer (e.g. to make it fail).</param>
    public InMemoryConnection(Func<PipeWriter, PipeWriter>? wrapOutput = null)
    {
        var output = _toClient.Writer;
        Transport = new DuplexPipe(_toServer.Reader, wrapOutput is null ? output : wrapOutput(output));
    }

    public override string ConnectionId { get; set; } = "test-" + Guid.NewGuid().ToString("N")[..8];

    public override IFeatureCollection Features { get; } = new FeatureCollection();

    public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

    public override IDuplexPipe Transport { get; set; }

    /// <summary>What the client sends.</summary>
    public PipeWriter ClientOutput => _toServer.Writer;

    /// <summary>What the server sent.</summary>
    public PipeReader ClientInput => _toClient.Reader;

    /// <summary>Completes with the abort reason once the server aborted the connection.</summary>
    public Task<string> Aborted => _aborted.Task;

    public override void Abort(ConnectionAbortedException abortReason)
    {
        if (_aborted.TrySetResult(abortReason.Message))
        {
            // As a transport does: the server's pending read ends with the abort.
            _toServer.Writer.Complete(abortReason);
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
