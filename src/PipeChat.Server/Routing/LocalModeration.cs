namespace PipeChat.Server.Routing;

/// <summary>A single node's moderation: the state lives in this process only (lost on restart, like its rooms' history).</summary>
internal sealed class LocalModeration : IModeration
{
    public ModerationCache Cache { get; } = new();

    public void Start()
    {
    }

    public void Dispose()
    {
    }

    public SendCheck CheckSend(ReadOnlySpan<char> roomId, string userId, out long? secondsLeft) => Cache.CheckSend(roomId, userId, out secondsLeft);

    public bool IsBanned(ReadOnlySpan<char> roomId, string userId, out long? secondsLeft) => Cache.IsBanned(roomId, userId, out secondsLeft);

    public Task? PrepareJoin(ReadOnlySpan<char> roomId) => null;

    public Task SetReadOnly(string roomId, bool on)
    {
        if (on || Cache.Find(roomId) is not null)
        {
            Cache.GetOrAdd(roomId).ReadOnly = on;
        }

        return Task.CompletedTask;
    }

    public Task Mute(string roomId, string userId, long? seconds)
    {
        RoomRestrictions.Set(Cache.GetOrAdd(roomId).MutedUntil, userId, ModerationCache.EndOf(seconds));
        return Task.CompletedTask;
    }

    public Task Ban(string roomId, string userId, long? seconds)
    {
        RoomRestrictions.Set(Cache.GetOrAdd(roomId).BannedUntil, userId, ModerationCache.EndOf(seconds));
        return Task.CompletedTask;
    }

    public void Sweep() => Cache.Sweep(ModerationCache.NowMs);
}
