namespace PipeChat.Protocol.Chat;

/// <summary>
/// An error reply: a stable <see cref="ChatErrorCodes">code</see> and a fixed human message.
/// Both are static strings; making or copying one allocates nothing. Use the instances on
/// <see cref="ChatErrors"/>.
/// </summary>
public readonly record struct ChatError(string Code, string Message)
{
    /// <summary>true for <c>default</c>: no error.</summary>
    public bool IsNone => Code is null;
}
