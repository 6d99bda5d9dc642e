using PipeChat.Protocol.Chat;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Buffers;
using PipeChat.Server.Rooms;

namespace PipeChat.Server.Routing;

/// <summary>Answers to the member that asked: seal, queue, release.</summary>
internal static class ChatReplies
{
    /// <summary>Seals <paramref name="frame"/>, queues it for <paramref name="to"/> and releases the caller's reference.</summary>
    public static void Send(IRoomMember to, SharedFrame frame)
    {
        frame.Seal(WebSocketOpcode.Text);
        to.TrySend(frame);
        frame.Release();
    }

    /// <summary>An ack without seq (nothing when <paramref name="reference"/> is empty).</summary>
    public static void Ack(IRoomMember to, ReadOnlySpan<byte> reference)
    {
        if (reference.IsEmpty)
        {
            return;
        }

        var ack = SharedFrame.Rent(48 + reference.Length);
        ChatMessageWriter.WriteAck(ack, reference);
        Send(to, ack);
    }

    public static void Error(IRoomMember to, in ChatError error, ReadOnlySpan<byte> reference)
    {
        var frame = SharedFrame.Rent(96 + error.Message.Length + reference.Length);
        ChatMessageWriter.WriteError(frame, error, reference);
        Send(to, frame);
    }
}
