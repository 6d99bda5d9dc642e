using PipeChat.Server.Configuration;
using PipeChat.Protocol.Chat;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Buffers;
using PipeChat.Server.Connections;
using PipeChat.Server.Routing;

namespace PipeChat.Server.Chat;

/// <summary>
/// A member's requests, in order: the rate limit, the size limit, parsing, then one handler per
/// request type. Each is handled on the connection's read loop and is usually answered before it
/// returns; when one is still waiting (on Redis, or on a busy room for a join or history read)
/// the connection's later requests run after it, so answers keep the order of the requests.
/// </summary>
internal sealed class ChatRequestDispatcher(ServerOptions options, RoomRequests roomRequests, UserRequests userRequests, ModerationRequests moderationRequests, TokenRefresh refresh, CountRequests countRequests)
{
    private static readonly ChatError s_binaryNotSupported = new(ChatErrorCodes.BadRequest, "binary messages are not supported: send JSON as text");

    public void OnMessage(IWebSocketConnection session, WebSocketOpcode type, ReadOnlySpan<byte> payload)
    {
        if (session.ApplicationState is not ChatConnectionState state || !state.Registered)
        {
            return;
        }

        Task? previous = null;
        if (state.Tail is { IsCompleted: false } tail)
        {
            if (state.TailIsRoomSends && IsRoomRequest(payload, type))
            {
                // Room sends pipeline: Redis runs them in the order sent; their acks wait for the earlier ones.
                previous = tail;
            }
            else
            {
                // An earlier request still waits: this one runs after it, so replies keep request order.
                state.TailIsRoomSends = false;
                state.Tail = tail.ContinueWith(
                    static (_, s) =>
                    {
                        var (dispatcher, session, state, type, copy) = ((ChatRequestDispatcher, IWebSocketConnection, ChatConnectionState, WebSocketOpcode, byte[]))s!;
                        return dispatcher.Handle(session, state, type, copy, null);
                    },
                    (this, session, state, type, payload.ToArray()),
                    CancellationToken.None,
                    TaskContinuationOptions.None,
                    TaskScheduler.Default).Unwrap();
                return;
            }
        }

        state.RoomSendIssued = false;
        var pending = Handle(session, state, type, payload, previous);
        if (!pending.IsCompleted)
        {
            state.Tail = pending;
            state.TailIsRoomSends = state.RoomSendIssued;
        }
    }

    private static bool IsRoomRequest(ReadOnlySpan<byte> payload, WebSocketOpcode type)
    {
        Span<byte> scratch = stackalloc byte[ChatRequestParser.ScratchLength];
        return type == WebSocketOpcode.Text && ChatRequestParser.TryParse(payload, scratch, out var request, out _) && request.Type == ChatRequestType.Room;
    }

    /// <summary>
    /// Handles one request; the task is complete at once unless the router is still at work.
    /// <paramref name="previous"/>: earlier room sends still in flight (only when this is one too).
    /// </summary>
    private Task Handle(IWebSocketConnection session, ChatConnectionState state, WebSocketOpcode type, ReadOnlySpan<byte> payload, Task? previous)
    {
        if (!state.Rate.TryTake(Environment.TickCount64))
        {
            if (state.Rate.Refusals >= options.RateLimitBurst)
            {
                session.RequestClose(WebSocketCloseCodes.PolicyViolation, "rate limit exceeded"u8);
            }
            else
            {
                ChatReplies.Error(session, ChatErrors.RateLimited, default);
            }

            return Task.CompletedTask;
        }

        if (type != WebSocketOpcode.Text)
        {
            ChatReplies.Error(session, s_binaryNotSupported, default);
            return Task.CompletedTask;
        }

        if (payload.Length > options.MaxChatPayloadBytes)
        {
            ChatReplies.Error(session, ChatErrors.TooLarge, default);
            return Task.CompletedTask;
        }

        // Rooms a ban put the connection out of (from another thread) leave its list first.
        state.Rooms.ApplyEvictions();
        Span<byte> scratch = stackalloc byte[ChatRequestParser.ScratchLength];
        if (!ChatRequestParser.TryParse(payload, scratch, out var request, out var error))
        {
            ChatReplies.Error(session, error, request.Ref);
            return Task.CompletedTask;
        }

        switch (request.Type)
        {
            case ChatRequestType.Join:
                return roomRequests.Join(session, state, request);
            case ChatRequestType.Leave:
                return roomRequests.Leave(session, state, request);
            case ChatRequestType.Room:
                state.RoomSendIssued = true;
                return roomRequests.Send(session, state, request, previous);
            case ChatRequestType.History:
                return roomRequests.History(session, state, request);
            case ChatRequestType.Count:
                return countRequests.Count(session, state, request);
            case ChatRequestType.Notice:
                return userRequests.Notice(session, request);
            case ChatRequestType.Broadcast:
                return userRequests.Broadcast(session, request);
            case ChatRequestType.Query:
                return request.RoomId.IsEmpty || roomRequests.MayRead(session, state, request.RoomId, request.Ref)
                    ? userRequests.Query(session, request.RoomId, request.TargetId, request.Ref)
                    : Task.CompletedTask;
            case ChatRequestType.Refresh:
                return refresh.Refresh(session, state, request);
            case ChatRequestType.Mute:
            case ChatRequestType.Ban:
            case ChatRequestType.Recall:
            case ChatRequestType.ReadOnly:
                return moderationRequests.Handle(session, state, request);
            case ChatRequestType.Ping:
                var pong = SharedFrame.Rent(32 + request.Ref.Length);
                ChatMessageWriter.WritePong(pong, request.Ref);
                ChatReplies.Send(session, pong);
                return Task.CompletedTask;
            default:
                ChatReplies.Error(session, ChatErrors.UnknownType, request.Ref);
                return Task.CompletedTask;
        }
    }
}
