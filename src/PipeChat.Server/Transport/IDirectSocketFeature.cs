namespace PipeChat.Server.Transport;

/// <summary>
/// A connection feature of the lean transport while nothing (TLS, other middleware) sits between
/// the connection handler and the socket: the zero-byte wait for readability, gather sends of
/// caller-owned buffers, and the HTTP answer bytes written to the output but not sent yet. A
/// handler asks <c>connection.Features.Get&lt;IDirectSocketFeature&gt;()</c> and falls back to
/// the transport pipes when it is absent (Kestrel's sockets, TLS, an in-memory test connection).
/// </summary>
internal interface IDirectSocketFeature
{
    /// <summary>
    /// True when the next read of the input would begin with a zero-byte wait (nothing buffered):
    /// the caller can await <see cref="WaitAsync"/> in its own state machine first, so an idle
    /// connection holds no receive state machine of the input's.
    /// </summary>
    bool WaitsFirst { get; }

    /// <summary>The zero-byte wait for readability; socket errors surface raw (SocketException, ObjectDisposedException).</summary>
    ValueTask<int> WaitAsync();

    /// <summary>Sends one buffer completely.</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> buffer);

    /// <summary>Sends several buffers with one gather send; the list is not kept.</summary>
    ValueTask SendAsync(IList<ArraySegment<byte>> buffers, int totalBytes);

    /// <summary>Bytes written to the output pipe and not flushed (an upgrade response waiting to ride with the first frames).</summary>
    ArraySegment<byte> UnflushedOutput { get; }

    /// <summary>Forgets <see cref="UnflushedOutput"/> once it was sent by <see cref="SendAsync(IList{ArraySegment{byte}}, int)"/>.</summary>
    void DiscardUnflushedOutput();
}
