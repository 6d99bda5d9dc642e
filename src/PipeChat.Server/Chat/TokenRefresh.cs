using System.Text;
using PipeChat.Protocol.Chat;
using PipeChat.Server.Auth;
using PipeChat.Server.Buffers;
using PipeChat.Server.Connections;
using PipeChat.Server.Routing;

namespace PipeChat.Server.Chat;

/// <summary>
/// <c>refresh</c>: a new token for an open connection (docs/protocol.md). It must be valid and for
/// the same user; its claims replace the old ones (rooms the new token no longer allows are left
/// at once, their members see a leave), its exp becomes the connection's deadline, and the
/// connection gets an ack with the new exp. A bad token changes nothing (error bad_token).
/// </summary>
internal sealed class TokenRefresh(HandshakeIdentity identity, IChatRouter router)
{
    public Task Refresh(IWebSocketConnection session, ChatConnectionState state, in ChatRequest request)
    {
        var validation = identity.ValidateAsync(Encoding.ASCII.GetString(request.Token));
        if (validation is null)
        {
            ChatReplies.Error(session, ChatErrors.RefreshWithoutAuth, request.Ref);
            return Task.CompletedTask;
        }

        if (validation.IsCompletedSuccessfully)
        {
            Apply(session, state, validation.Result, request.Ref);
            return Task.CompletedTask;
        }

        return ApplyLater(session, state, validation, request.Ref.ToArray());
    }

    private async Task ApplyLater(IWebSocketConnection session, ChatConnectionState state, Task<TokenValidationOutcome> validation, byte[] reference)
        => Apply(session, state, await validation.ConfigureAwait(false), reference);

    private void Apply(IWebSocketConnection session, ChatConnectionState state, TokenValidationOutcome outcome, ReadOnlySpan<byte> reference)
    {
        if (!outcome.IsValid)
        {
            ChatReplies.Error(session, new ChatError(ChatErrorCodes.BadToken, HandshakeIdentity.TokenFailureReason(outcome.Failure)), reference);
            return;
        }

        if (!string.Equals(outcome.UserId, session.UserId, StringComparison.Ordinal))
        {
            ChatReplies.Error(session, ChatErrors.RefreshOtherUser, reference);
            return;
        }

        state.Access = outcome.Access;
        state.ExpiresAt = outcome.ExpiresAt;
        TokenExpiry.Schedule(session, outcome.ExpiresAt);
        LeaveForbiddenRooms(session, state);
        var ack = SharedFrame.Rent(96 + reference.Length);
        ModerationMessageWriter.WriteRefreshAck(ack, outcome.ExpiresAt, reference);
        ChatReplies.Send(session, ack);
    }

    /// <summary>Leaves every joined room the connection's (new) access no longer allows, telling it with a left of reason forbidden.</summary>
    private void LeaveForbiddenRooms(IWebSocketConnection session, ChatConnectionState state)
    {
        if (state.Access.AllRooms)
        {
            return;
        }

        List<Rooms.Room>? gone = null;
        foreach (var room in state.Rooms)
        {
            if (!state.Access.MayJoin(room.Id))
            {
                (gone ??= []).Add(room);
            }
        }

        foreach (var room in gone ?? [])
        {
            state.Rooms.Remove(room);
            router.Drop(session, room);
            var left = SharedFrame.Rent(128 + (room.Id.Length * 6));
            ModerationMessageWriter.WriteRemoved(left, room.Id, room.MemberCount, "forbidden");
            ChatReplies.Send(session, left);
        }
    }
}
