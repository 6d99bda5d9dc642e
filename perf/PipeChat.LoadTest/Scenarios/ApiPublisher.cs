using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using PipeChat.LoadTest.Metrics;
using PipeChat.LoadTest.Options;

namespace PipeChat.LoadTest.Scenarios;

/// <summary>
/// The api scenario's senders: <c>Senders</c> loops that POST room messages to the server API
/// (/api/publish, docs/api.md) while the WebSocket members of the room receive them. The server
/// answers one request per connection (Connection: close, no keep-alive), so every request is a
/// fresh TCP connection, from source addresses spread over 127.0.0.2–251. A message carries the
/// same <c>"lt":[sender,sequence,timestamp]</c> as the socket scenarios, so delivery, latency,
/// duplicates and seq gaps are checked by the members exactly as for fan-out. A request counts as
/// sent (and each member's copy as expected) once the API answered 200; anything else is an error.
/// Open loop (rate 0): each sender starts its next request when the last one is answered.
/// </summary>
internal sealed class ApiPublisher(LoadTestOptions options, RunCounters counters, IPEndPoint server)
{
    private static readonly TimeSpan s_requestTimeout = TimeSpan.FromSeconds(10);

    public async Task RunAsync(Func<bool> running, CancellationToken cancellationToken)
    {
        var perSender = options.Rate > 0 ? options.Rate / options.Senders : 0;
        await Task.WhenAll(Enumerable.Range(0, options.Senders).Select(s => Task.Run(() => SendLoopAsync(s, perSender, running, cancellationToken), CancellationToken.None)));
    }

    private async Task SendLoopAsync(int sender, double rate, Func<bool> running, CancellationToken cancellationToken)
    {
        var roomId = ChatWorkload.RoomId(options, 0);
        var prefix = Encoding.UTF8.GetBytes($"{{\"roomid\":\"{roomId}\",\"from\":\"{options.IdPrefix}api{sender}\",\"data\":{{\"lt\":[");
        var suffix = Encoding.UTF8.GetBytes($"],\"p\":\"{new string('x', options.PayloadBytes)}\"}}}}");
        var body = new byte[prefix.Length + suffix.Length + 64];
        var response = new byte[4096];
        var start = Stopwatch.GetTimestamp();
        long sequence = 0;
        var attempt = 0;
        while (running() && !cancellationToken.IsCancellationRequested)
        {
            if (rate > 0)
            {
                var ahead = TimeSpan.FromSeconds(sequence / rate) - Stopwatch.GetElapsedTime(start);
                if (ahead > TimeSpan.FromMilliseconds(1))
                {
                    try
                    {
                        await Task.Delay(ahead, cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
            }

            sequence++;
            var length = Build(body, prefix, suffix, sender, sequence, Stopwatch.GetTimestamp());
            var source = options.SpreadSources && server.AddressFamily == AddressFamily.InterNetwork
                ? new IPAddress([127, 0, 0, (byte)(2 + ((sender + (attempt++ * options.Senders)) % 250))])
                : null;
            var status = await PostAsync(source, body.AsMemory(0, length), response);
            if (status == 200)
            {
                Interlocked.Increment(ref counters.Sent);
                Interlocked.Add(ref counters.Expected, options.Members);
            }
            else
            {
                counters.Error(status > 0 ? "api:" + status.ToString(System.Globalization.CultureInfo.InvariantCulture) : status == 0 ? "api:no_response" : "api:io");
            }
        }
    }

    private static int Build(byte[] body, byte[] prefix, byte[] suffix, int sender, long sequence, long timestamp)
    {
        var span = body.AsSpan();
        prefix.CopyTo(span);
        var at = prefix.Length;
        Utf8Formatter.TryFormat(sender, span[at..], out var written);
        at += written;
        span[at++] = (byte)',';
        Utf8Formatter.TryFormat(sequence, span[at..], out written);
        at += written;
        span[at++] = (byte)',';
        Utf8Formatter.TryFormat(timestamp, span[at..], out written);
        at += written;
        suffix.CopyTo(span[at..]);
        return at + suffix.Length;
    }

    /// <summary>One request on its own connection; the HTTP status, 0 when the server closed without one, -1 on a socket error or timeout.</summary>
    private async Task<int> PostAsync(IPAddress? source, ReadOnlyMemory<byte> body, byte[] response)
    {
        using var timeout = new CancellationTokenSource(s_requestTimeout);
        using var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (source is not null)
            {
                socket.Bind(new IPEndPoint(source, 0));
            }

            await socket.ConnectAsync(server, timeout.Token);
            var head = Encoding.ASCII.GetBytes(
                $"POST /api/publish HTTP/1.1\r\nHost: {server}\r\nAuthorization: Bearer {options.ApiKey}\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n");
            await socket.SendAsync(head, SocketFlags.None, timeout.Token);
            await socket.SendAsync(body, SocketFlags.None, timeout.Token);

            // Only the status line matters; read until the server closes (Connection: close).
            var received = 0;
            while (true)
            {
                var read = await socket.ReceiveAsync(response.AsMemory(received < response.Length ? received : 0), SocketFlags.None, timeout.Token);
                if (read == 0)
                {
                    break;
                }

                received = Math.Min(received + read, response.Length);
            }

            return received >= 12 && Utf8Parser.TryParse(response.AsSpan(9, 3), out int status, out _) ? status : 0;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            return -1;
        }
    }
}
