namespace PipeChat.LoadTest.Client;

/// <summary>What a scenario does with the messages a connection receives.</summary>
internal interface IConnectionHandler
{
    /// <summary>Handles one text message; returns how many load messages to send in reply (closed loop).</summary>
    int OnMessage(LoadConnection connection, ReadOnlySpan<byte> json);

    /// <summary>Sends the replies <see cref="OnMessage"/> asked for, after the receive buffer was parsed.</summary>
    ValueTask SendPendingAsync(LoadConnection connection, int count);

    /// <summary>The connection ended without the tool closing it (server close, reset, protocol error).</summary>
    void OnDropped(LoadConnection connection, string kind);
}
