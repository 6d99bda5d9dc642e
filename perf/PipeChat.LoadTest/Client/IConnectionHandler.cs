namespace PipeChat.LoadTest.Client;

/// <summary>What a scenario does with the messages a connection receives.</summary>
internal interface IConnectionHandler
{
    /// <summary>Handles one text message; returns how many load messages to send in reply (closed loop).</summary>
    /// <param name="connection">The receiving connection.</param>
    /// <param name="json">The message.</param>
    /// <param name="receivedAt">Stopwatch timestamp of the read that brought it (one clock read per read, not per message).</param>
    int OnMessage(LoadConnection connection, ReadOnlySpan<byte> json, long receivedAt);

    /// <summary>Sends the replies <see cref="OnMessage"/> asked for, after the receive buffer was parsed.</summary>
    ValueTask SendPendingAsync(LoadConnection connection, int count);

    /// <summary>The connection ended without the tool closing it (server close, reset, protocol error).</summary>
    void OnDropped(LoadConnection connection, string kind);
}
