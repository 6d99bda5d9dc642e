using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using PipeChat.Protocol.Framing;
using PipeChat.Protocol.Handshake;
using PipeChat.Server.Diagnostics;

namespace PipeChat.Server.Connections;

/// <summary>
/// The opening handshake: reads the HTTP request from the connection's input, answers a plain
/// HTTP request (<see cref="PlainHttpAnswer"/>) or refuses a bad upgrade, or accepts it (the
/// application's credential check, permessage-deflate) and writes the 101 to the output, where it
/// waits to go out with the first frames. Only the request head is consumed: frames a client sent
/// right behind it stay in the input for the frame reader.
/// </summary>
internal static class UpgradeHandshake
{
    /// <summary>Runs the handshake; usually completes without suspending (the request was waited for before).</summary>
    public static async ValueTask<HandshakeResult> RunAsync(WebSocketSession session, ConnectionContext connection, ServerContext server)
    {
        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        PendingHandshake? pending = null;
        while (true)
        {
            var read = await input.ReadAsync();
            var buffer = read.Buffer;
            HandshakeOutcome outcome;
            SequencePosition consumed = buffer.Start, examined = buffer.End;
            HandshakeResult result;
            try
            {
                outcome = Process(session, connection, server, buffer, ref consumed, ref pending, out result);
                if (outcome != HandshakeOutcome.NeedMoreData)
                {
                    // Nothing past what was consumed was looked at: bytes behind the request are read at once, not waited for again.
                    examined = consumed;
                }
            }
            finally
            {
                input.AdvanceTo(consumed, examined);
            }

            switch (outcome)
            {
                case HandshakeOutcome.NeedMoreData when read.IsCompleted || read.IsCanceled:
                    return HandshakeResult.NotUpgraded;
                case HandshakeOutcome.NeedMoreData:
                    continue;
                case HandshakeOutcome.Dropped:
                    // Too many connections from the forwarded address: dropped like any other flood.
                    session.AbortForAddressLimit();
                    return HandshakeResult.NotUpgraded;
                case HandshakeOutcome.PendingAccept:
                    var (userId, error, state) = await pending!.Application!.CompleteAcceptAsync(pending.Accept);
                    if (userId is not null)
                    {
                        result = Upgrade(output, server, pending.Application, userId, pending.Key, pending.Deflate) with { State = state };
                        outcome = HandshakeOutcome.Upgraded;
                    }
                    else
                    {
                        outcome = Refuse(session, connection, server, output, error);
                    }

                    pending = null;
                    break;
            }

            if (outcome == HandshakeOutcome.Upgraded)
            {
                return result;
            }

            await output.FlushAsync();
            server.Metrics.HandshakeRefused();
            if (pending is { DrainBytes: > 0 and var drain })
            {
                await DiscardRequestBodyAsync(input, drain);
            }

            return HandshakeResult.NotUpgraded;
        }
    }

    private static HandshakeOutcome Process(
        WebSocketSession session, ConnectionContext connection, ServerContext server, ReadOnlySequence<byte> buffer, ref SequencePosition consumed, ref PendingHandshake? pending, out HandshakeResult result)
    {
        result = HandshakeResult.NotUpgraded;
        var output = connection.Transport.Output;
        var limit = server.Options.MaxRequestHeaderBytes;
        byte[]? scratch = buffer.IsSingleSegment ? null : ArrayPool<byte>.Shared.Rent(limit);
        try
        {
            var status = HandshakeParser.TryParse(buffer, limit, scratch, allowBody: true, out var request, out var end, out var error);
            if (status == ParseStatus.NeedMoreData)
            {
                return HandshakeOutcome.NeedMoreData;
            }

            consumed = status == ParseStatus.Done ? end : buffer.End;
            if (status == ParseStatus.Invalid)
            {
                return Refuse(session, connection, server, output, error);
            }

            // A trusted proxy's connection counts against the client it forwards (empty list: nothing to do).
            if (!server.TrustedProxies.IsEmpty && !session.Admission.TryAdmitForwarded(request, connection, server))
            {
                return HandshakeOutcome.Dropped;
            }

            if (!request.IsWebSocketUpgrade)
            {
                var afterHead = buffer.Slice(end);
                var drain = PlainHttpAnswer.Write(request, afterHead.Length, output, server, out var bodyBytes);
                consumed = afterHead.GetPosition(bodyBytes);
                if (drain > 0)
                {
                    (pending ??= new PendingHandshake()).DrainBytes = drain;
                }

                return HandshakeOutcome.Answered;
            }

            if (!request.TryValidateUpgrade(out error))
            {
                return Refuse(session, connection, server, output, error);
            }

            if (server.ShuttingDown)
            {
                return Refuse(session, connection, server, output, new HandshakeError(503, "server shutting down"));
            }

            var application = server.EchoPath is { } echo && request.Path.SequenceEqual(echo) ? server.Echo : server.Chat;
            if (!application.TryAccept(request, connection, out var decision, out error))
            {
                return Refuse(session, connection, server, output, error);
            }

            DeflateAgreement? deflate = server.Deflate is { } codec && request.TryNegotiateDeflate(codec.Settings, out var agreement)
                ? agreement
                : null;
            if (decision.UserId is null)
            {
                // Credentials are checked asynchronously; keep the key (24 bytes) for the 101.
                pending = new PendingHandshake { Application = application, Accept = decision, Key = request.Key.ToArray(), Deflate = deflate };
                return HandshakeOutcome.PendingAccept;
            }

            result = Upgrade(output, server, application, decision.UserId, request.Key, deflate);
            return HandshakeOutcome.Upgraded;
        }
        finally
        {
            if (scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }
    }

    /// <summary>Writes the 101 (echoing the accepted permessage-deflate parameters).</summary>
    private static HandshakeResult Upgrade(
        PipeWriter output, ServerContext server, IWebSocketApplication application, string userId, ReadOnlySpan<byte> key, DeflateAgreement? deflate)
    {
        if (deflate is not { } agreement)
        {
            HandshakeResponse.WriteSwitchingProtocols(output, key, default);
            return new HandshakeResult(application, userId, 0);
        }

        Span<byte> extensions = stackalloc byte[DeflateAgreement.MaxResponseLength];
        var length = PerMessageDeflate.WriteResponse(agreement, extensions);
        HandshakeResponse.WriteSwitchingProtocols(output, key, default, extensions[..length]);
        server.Metrics.DeflateNegotiated();
        return new HandshakeResult(application, userId, agreement.ServerMaxWindowBits);
    }

    private static HandshakeOutcome Refuse(WebSocketSession session, ConnectionContext connection, ServerContext server, PipeWriter output, in HandshakeError error)
    {
        var address = session.Admission.Address ?? (connection.RemoteEndPoint as System.Net.IPEndPoint)?.Address;
        Log.HandshakeRefused(server.Logger, connection.ConnectionId, address, error.StatusCode, error.Reason);
        HandshakeResponse.WriteError(output, error);
        return HandshakeOutcome.Refused;
    }

    /// <summary>After refusing a request whose body is still coming: read and drop it (bounded by the handshake timeout), so closing does not reset the connection before the answer is read.</summary>
    private static async Task DiscardRequestBodyAsync(PipeReader input, long remaining)
    {
        while (remaining > 0)
        {
            var result = await input.ReadAsync();
            var take = Math.Min(remaining, result.Buffer.Length);
            input.AdvanceTo(result.Buffer.GetPosition(take));
            remaining -= take;
            if (result.IsCompleted || result.IsCanceled)
            {
                return;
            }
        }
    }

    private enum HandshakeOutcome
    {
        NeedMoreData,
        Upgraded,
        PendingAccept,
        Answered,
        Refused,
        Dropped,
    }
}
