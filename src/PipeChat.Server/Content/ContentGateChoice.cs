using Microsoft.Extensions.Logging;
using PipeChat.Server.Configuration;

namespace PipeChat.Server.Content;

/// <summary>
/// Picks the room-message gate at start-up from --word-list and --publish-hook: the word list
/// first (cheap, local: a blocked message costs no hook call and the hook sees the masked text),
/// then the hook; <see cref="OpenGate"/> when neither is set.
/// </summary>
internal static class ContentGateChoice
{
    /// <summary>How often the word list's time stamp is checked besides the file-change notifications.</summary>
    public static readonly TimeSpan WordListPoll = TimeSpan.FromSeconds(2);

    public static IRoomMessageGate Create(ServerOptions options, ILoggerFactory loggerFactory)
    {
        var logger = loggerFactory.CreateLogger("PipeChat.Content");
        IRoomMessageGate gate = OpenGate.Instance;
        if (options.PublishHook is { } hook)
        {
            var failOpen = options.PublishHookFailure == "open";
            var client = new PublishHookClient(new Uri(hook), TimeSpan.FromMilliseconds(options.PublishHookTimeoutMs), MaxAnswerBytes(options));
            gate = new PublishHookGate(client, failOpen, logger);
            ContentLog.HookConfigured(logger, hook, options.PublishHookTimeoutMs, options.PublishHookFailure);
        }

        if (options.WordList is { } path)
        {
            var action = options.WordAction == "block" ? WordAction.Block : WordAction.Mask;
            gate = new WordListGate(new WordListFile(path, logger, WordListPoll), action, gate);
        }

        return gate;
    }

    /// <summary>A replace answer carries a message's data: room for the largest request, and some.</summary>
    private static int MaxAnswerBytes(ServerOptions options) => (int)Math.Min(int.MaxValue, (2L * options.MaxChatPayloadBytes) + 65536);
}
