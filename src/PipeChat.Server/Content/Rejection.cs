using PipeChat.Protocol.Chat;
using PipeChat.Server.Buffers;
using PipeChat.Server.Rooms;
using PipeChat.Server.Routing;

namespace PipeChat.Server.Content;

/// <summary>The sender's answer to a refused room message: error <c>rejected</c> with a <c>reason</c>.</summary>
internal static class Rejection
{
    /// <summary>The word list (block) found a listed word.</summary>
    public const string SensitiveWord = "sensitive_word";

    /// <summary>The publish hook did not answer usably in time and --publish-hook-failure is closed.</summary>
    public const string HookUnavailable = "hook_unavailable";

    /// <summary>The hook rejected without a code of its own.</summary>
    public const string Default = "rejected";

    public static void Send(IRoomMember to, ReadOnlySpan<char> reason, ReadOnlySpan<byte> reference)
    {
        var frame = SharedFrame.Rent(160 + (reason.Length * 6) + reference.Length);
        RejectedErrorWriter.Write(frame, reason, reference);
        ChatReplies.Send(to, frame);
    }
}
