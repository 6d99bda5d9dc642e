using PipeChat.Server.Configuration;
using PipeChat.Protocol.Chat;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Buffers;
using PipeChat.Server.Connections;
using PipeChat.Server.Rooms;
using PipeChat.Server.Routing;

namespace PipeChat.Server.Chat;

/// <summary>
/// A connection entering and leaving the chat layer: registered with the user directory (within
/// the per-user cap) and welcomed on open; out of every room and the directory on close, once
/// any request still in flight is done.
/// </summary>
internal sealed class ConnectionLifecycle(ServerOptions options, UserDirectory users, IChatRouter router)
{
    public void OnOpen(IWebSocketConnection session)
    {
        // With auth on, the handshake made the state with what the token grants.
        var state = session.ApplicationState as ChatConnectionState ?? new ChatConnectionState(options.RateLimitPerSecond, options.RateLimitBurst);
        session.ApplicationState = state;
        var added = users.TryAdd(session, options.MaxConnectionsPerUser);
        if (added == UserAddStatus.LimitReached)
        {
            session.RequestClose(WebSocketCloseCodes.PolicyViolation, "too many connections for this user id"u8);
            return;
        }

        state.Registered = true;
        router.ConnectionOpened(session, added);
        var frame = SharedFrame.Rent(128 + session.UserId.Length);
        ChatMessageWriter.WriteWelcome(frame, session.UserId, session.ConnectionId, state.ExpiresAt);
        ChatReplies.Send(session, frame);
        TokenExpiry.Schedule(session, state.ExpiresAt);
    }

    public void OnClose(IWebSocketConnection session)
    {
        if (session.ApplicationState is not ChatConnectionState state)
        {
            return;
        }

        if (state.Tail is { IsCompleted: false } tail)
        {
            // A request is still in flight: leave once it is done (a join may still add a room).
            state.Tail = tail.ContinueWith(static (_, s) =>
            {
                var (lifecycle, session, state) = ((ConnectionLifecycle, IWebSocketConnection, ChatConnectionState))s!;
                lifecycle.Close(session, state);
            }, (this, session, state), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            return;
        }

        Close(session, state);
    }

    private void Close(IWebSocketConnection session, ChatConnectionState state)
    {
        state.Rooms.ApplyEvictions();
        foreach (var room in state.Rooms)
        {
            router.Drop(session, room);
        }

        state.Rooms.Clear();
        if (state.Registered)
        {
            router.ConnectionClosed(session, users.Remove(session));
        }
    }
}
