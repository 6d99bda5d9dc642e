namespace PipeChat.Server.Connections;

/// <summary>A close code and reason the heartbeat sends at a deadline (<see cref="IWebSocketConnection.CloseAt"/>); make one per reason and share it.</summary>
internal sealed class ScheduledClose(ushort code, string reason)
{
    public ushort Code { get; } = code;

    public byte[] Reason { get; } = System.Text.Encoding.UTF8.GetBytes(reason);
}
