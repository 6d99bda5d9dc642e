using PipeChat.Protocol.Chat;
using PipeChat.Server.Rooms;

namespace PipeChat.Server.Content;

/// <summary>
/// The sensitive-word list (--word-list, --word-action): one pass of the current
/// <see cref="WordMatcher"/> over the message's strings (<see cref="JsonWordScan"/>); a message
/// without a listed word goes on untouched and costs no allocation. Then <paramref name="next"/>
/// (the publish hook, or straight on), which sees the masked text.
/// </summary>
internal sealed class WordListGate(WordListFile words, WordAction action, IRoomMessageGate next) : IRoomMessageGate
{
    public Task Submit(IRoomPublisher publisher, IRoomMember sender, Room room, ReadOnlySpan<byte> data, ReadOnlySpan<byte> reference, Task? previous, MessagePriority priority)
    {
        if (!JsonWordScan.Scan(words.Current, data, action == WordAction.Mask, out var masked))
        {
            return next.Submit(publisher, sender, room, data, reference, previous, priority);
        }

        if (masked is not null)
        {
            return next.Submit(publisher, sender, room, masked, reference, previous, priority);
        }

        Rejection.Send(sender, Rejection.SensitiveWord, reference);
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        words.Dispose();
        next.Dispose();
    }
}
