namespace PipeChat.Server.Content;

/// <summary>What a room message holding a listed word gets (--word-action).</summary>
internal enum WordAction
{
    /// <summary>Each character of each match becomes <c>*</c>; the message goes on.</summary>
    Mask,

    /// <summary>The message is refused: error <c>rejected</c>, reason <c>sensitive_word</c>.</summary>
    Block,
}
