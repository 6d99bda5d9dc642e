using System.Text;
using PipeChat.Protocol.Framing;
using PipeChat.Server.Buffers;
using PipeChat.Server.Rooms;

namespace PipeChat.Server.Tests.Rooms;

/// <summary>
/// An <see cref="IRoomMember"/> that records the text payload of every frame it accepts and
/// counts the references it took and released, like a connection whose writer has sent the frame.
/// </summary>
internal sealed class FakeConnection : IRoomMember
{
    private static long s_nextId;
    private readonly List<string> _received = [];
    private readonly Lock _lock = new();
    private int _referencesTaken;

    public FakeConnection(string userId, bool accepts = true)
    {
        UserId = userId;
        Accepts = accepts;
    }

    public long ConnectionId { get; } = Interlocked.Increment(ref s_nextId);

    public string UserId { get; }

    /// <summary>When false, TrySend fails (a closing connection).</summary>
    public bool Accepts { get; set; }

    /// <summary>When true, accepted frames are kept (referenced) until <see cref="ReleaseAll"/>.</summary>
    public bool HoldFrames { get; init; }

    public int ReferencesTaken => Volatile.Read(ref _referencesTaken);

    public int TrySendCalls { get; private set; }

    public List<SharedFrame> Held { get; } = [];

    /// <summary>Runs after each accepted frame, outside the connection's lock (to act in the middle of a publish).</summary>
    public Action? OnAccepted { get; set; }

    public IReadOnlyList<string> Received
    {
        get
        {
            lock (_lock)
            {
                return [.. _received];
            }
        }
    }

    public bool TrySend(SharedFrame frame)
    {
        if (!Record(frame))
        {
            return false;
        }

        OnAccepted?.Invoke();
        return true;
    }

    private bool Record(SharedFrame frame)
    {
        lock (_lock)
        {
            TrySendCalls++;
            if (!Accepts)
            {
                return false;
            }

            frame.AddReference();
            Interlocked.Increment(ref _referencesTaken);
            _received.Add(Encoding.UTF8.GetString(frame.Payload));
            if (HoldFrames)
            {
                Held.Add(frame);
            }
            else
            {
                frame.Release();
            }

            return true;
        }
    }

    public void ReleaseAll()
    {
        lock (_lock)
        {
            foreach (var frame in Held)
            {
                frame.Release();
            }

            Held.Clear();
        }
    }

    public static SharedFrame Text(string text) => SharedFrame.Create(WebSocketOpcode.Text, Encoding.UTF8.GetBytes(text));
}
