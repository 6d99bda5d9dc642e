namespace PipeChat.LoadTest.Options;

/// <summary>What the server under test speaks, and so how the tool joins and recognises its load messages.</summary>
public enum ServerProtocol
{
    /// <summary>
    /// PipeChat's chat protocol (and the chat peers'): each member sends <c>join</c> and waits for
    /// <c>joined</c>; room messages come back wrapped in the server's envelope.
    /// </summary>
    Chat,

    /// <summary>
    /// A server that returns every message unchanged, to every open connection (broadcast) or to its
    /// sender (echo), as the uWebSockets peer does: a connection is a member once its upgrade
    /// succeeded, nothing is sent to join, and the load messages come back byte for byte. Meaningful
    /// for one room (fanout, live), echo (against an echoing server) and connect only.
    /// </summary>
    Verbatim,
}
