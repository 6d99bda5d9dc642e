using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using PipeChat.Server.Transport;

namespace PipeChat.Server.Tests.Transport;

/// <summary>The lean transport's PipeReader and sends over a real loopback socket pair.</summary>
public sealed class SocketInputTests : IAsyncLifetime
{
    private Socket _peer = null!;
    private LeanSocketConnection _connection = null!;

    private PipeReader Input => _connection.Transport.Input;

    public async Task InitializeAsync() => (_peer, _connection) = await LoopbackLeanConnection.CreateAsync();

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        _peer.Dispose();
    }

    [Fact]
    public async Task Reads_what_the_peer_sent_and_holds_no_buffer_once_it_is_consumed()
    {
        await _peer.SendAsync(new byte[] { 1, 2, 3 });

        var result = await Input.ReadAsync();

        Assert.Equal(new byte[] { 1, 2, 3 }, result.Buffer.ToArray());
        Input.AdvanceTo(result.Buffer.End);
        Assert.False(((SocketInput)Input).HoldsBuffer);
    }

    [Fact]
    public async Task Unconsumed_bytes_stay_in_front_of_the_next_data_and_a_fully_examined_buffer_waits_for_more()
    {
        await _peer.SendAsync(new byte[] { 1, 2, 3, 4, 5 });
        var first = await Input.ReadAsync();
        while (first.Buffer.Length < 5)
        {
            Input.AdvanceTo(first.Buffer.Start, first.Buffer.End);
            first = await Input.ReadAsync();
        }

        Input.AdvanceTo(first.Buffer.GetPosition(2), first.Buffer.End);
        var pending = Input.ReadAsync();
        Assert.False(pending.IsCompleted, "a fully examined buffer must wait for new data");

        await _peer.SendAsync(new byte[] { 6, 7 });
        var second = await pending;
        while (second.Buffer.Length < 5)
        {
            Input.AdvanceTo(second.Buffer.Start, second.Buffer.End);
            second = await Input.ReadAsync();
        }

        Assert.Equal(new byte[] { 3, 4, 5, 6, 7 }, second.Buffer.ToArray());
    }

    [Fact]
    public async Task A_partly_examined_buffer_is_returned_again_at_once()
    {
        await _peer.SendAsync(new byte[] { 9, 8, 7, 6 });
        var first = await ReadAtLeastAsync(4);

        Input.AdvanceTo(first.Buffer.Start, first.Buffer.GetPosition(1));
        var again = Input.ReadAsync();

        Assert.True(again.IsCompleted);
        Assert.Equal(new byte[] { 9, 8, 7, 6 }, (await again).Buffer.ToArray());
    }

    [Fact]
    public async Task Large_input_spans_segments_in_order()
    {
        var data = new byte[300_000];
        new Random(7).NextBytes(data);
        var send = _peer.SendAsync(data);

        var result = await ReadAtLeastAsync(data.Length);
        await send;

        Assert.False(result.Buffer.IsSingleSegment);
        Assert.Equal(data, result.Buffer.ToArray());
        Input.AdvanceTo(result.Buffer.End);
        Assert.False(((SocketInput)Input).HoldsBuffer);
    }

    [Fact]
    public async Task Consuming_part_of_a_multi_segment_buffer_keeps_the_rest_exact()
    {
        var data = new byte[50_000];
        new Random(3).NextBytes(data);
        var send = _peer.SendAsync(data);
        var result = await ReadAtLeastAsync(data.Length);
        await send;

        // Consume in uneven steps, the way a frame parser does.
        var offset = 0;
        var steps = new[] { 1, 4095, 4097, 10_000, 31_807 };
        for (var i = 0; i < steps.Length; i++)
        {
            var step = steps[i];
            Assert.Equal(data.AsSpan(offset, step).ToArray(), result.Buffer.Slice(0, step).ToArray());
            Input.AdvanceTo(result.Buffer.GetPosition(step), result.Buffer.GetPosition(step));
            offset += step;
            if (i < steps.Length - 1)
            {
                // Only part of the buffer was examined: the rest comes back without new data.
                var next = Input.ReadAsync();
                Assert.True(next.IsCompleted);
                result = await next;
            }
        }

        Assert.Equal(data.Length, offset);
        Assert.False(((SocketInput)Input).HoldsBuffer);
    }

    [Fact]
    public async Task The_peer_closing_ends_the_input()
    {
        await _peer.SendAsync(new byte[] { 42 });
        _peer.Shutdown(SocketShutdown.Send);

        var result = await Input.ReadAsync();
        while (!result.IsCompleted)
        {
            Input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            result = await Input.ReadAsync();
        }

        Assert.Equal(new byte[] { 42 }, result.Buffer.ToArray());
    }

    [Fact]
    public async Task After_a_pause_a_pending_read_holds_no_buffer_even_after_a_burst()
    {
        // A burst of quick messages may switch the reader to receiving straight into a segment.
        for (var i = 0; i < 6; i++)
        {
            await _peer.SendAsync(new[] { (byte)i });
            var burst = await ReadAtLeastAsync(1);
            Assert.Equal(new[] { (byte)i }, burst.Buffer.ToArray());
            Input.AdvanceTo(burst.Buffer.End);
        }

        // A long wait puts it back on zero-byte waits: an idle connection holds no buffer.
        var afterPause = Input.ReadAsync();
        await Task.Delay(300);
        await _peer.SendAsync(new byte[] { 42 });
        var result = await afterPause;
        Assert.Equal(new byte[] { 42 }, result.Buffer.ToArray());
        Input.AdvanceTo(result.Buffer.End);

        var idle = Input.ReadAsync();
        Assert.False(idle.IsCompleted);
        Assert.False(((SocketInput)Input).HoldsBuffer);
        await _peer.SendAsync(new byte[] { 43 });
        Assert.Equal(new byte[] { 43 }, (await idle).Buffer.ToArray());
    }

    [Fact]
    public async Task Abort_ends_a_pending_read_with_ConnectionAbortedException()
    {
        var pending = Input.ReadAsync();
        Assert.False(pending.IsCompleted);

        _connection.Abort(new ConnectionAbortedException("test"));

        await Assert.ThrowsAsync<ConnectionAbortedException>(async () => await pending);
        Assert.True(_connection.ConnectionClosed.IsCancellationRequested || await WaitCancelledAsync(_connection.ConnectionClosed));
    }

    [Fact]
    public async Task CancelPendingRead_makes_the_next_read_return_canceled()
    {
        await _peer.SendAsync(new byte[] { 1 });
        var result = await ReadAtLeastAsync(1);
        Input.AdvanceTo(result.Buffer.Start, result.Buffer.End);

        Input.CancelPendingRead();
        var canceled = await Input.ReadAsync();

        Assert.True(canceled.IsCanceled);
        Assert.Equal(new byte[] { 1 }, canceled.Buffer.ToArray());
    }

    [Fact]
    public async Task Gather_send_delivers_every_buffer_in_order()
    {
        var parts = Enumerable.Range(0, 64).Select(i => new ArraySegment<byte>(Enumerable.Repeat((byte)i, 100 + i).ToArray())).ToList();
        var total = parts.Sum(p => p.Count);

        await _connection.SendAsync(parts, total);

        var received = new byte[total];
        var read = 0;
        while (read < total)
        {
            read += await _peer.ReceiveAsync(received.AsMemory(read));
        }

        Assert.Equal(parts.SelectMany(p => p).ToArray(), received);
    }

    [Fact]
    public async Task Output_flush_sends_what_was_written()
    {
        var output = _connection.Transport.Output;
        output.Write("HTTP/1.1 200 OK\r\n\r\n"u8);

        await output.FlushAsync();

        var buffer = new byte[64];
        var n = await _peer.ReceiveAsync(buffer);
        Assert.Equal("HTTP/1.1 200 OK\r\n\r\n"u8.ToArray(), buffer[..n]);
    }

    private async Task<ReadResult> ReadAtLeastAsync(int length)
    {
        var result = await Input.ReadAsync();
        while (result.Buffer.Length < length && !result.IsCompleted)
        {
            Input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            result = await Input.ReadAsync();
        }

        return result;
    }

    private static async Task<bool> WaitCancelledAsync(CancellationToken token)
    {
        var done = new TaskCompletionSource();
        using var registration = token.Register(() => done.TrySetResult());
        return await Task.WhenAny(done.Task, Task.Delay(TimeSpan.FromSeconds(10))) == done.Task;
    }
}
