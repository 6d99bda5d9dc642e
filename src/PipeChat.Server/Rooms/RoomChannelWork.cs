namespace PipeChat.Server.Rooms;

/// <summary>
/// Something that must run as a room channel's owner, between two of the room's messages: a
/// join (add the member, replay what it missed), a history read, or a message whose order some
/// other source decided. Queued on the channel with <see cref="RoomChannel.Run"/> like a message;
/// the caller never waits for ownership. <see cref="Completion"/> tells the caller when it ran,
/// and allocates a task only when it had not run by the time the caller asked.
/// </summary>
internal abstract class RoomChannelWork
{
    private TaskCompletionSource? _waiter;
    private Exception? _failure;
    private int _finished;

    /// <summary>Whether <see cref="Execute"/> has run (or failed).</summary>
    public bool IsFinished => Volatile.Read(ref _finished) != 0;

    /// <summary>Complete once <see cref="Execute"/> has run; <see cref="Task.CompletedTask"/> when it already had.</summary>
    public Task Completion
    {
        get
        {
            if (IsFinished)
            {
                return _failure is null ? Task.CompletedTask : Task.FromException(_failure);
            }

            var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var waiter = Interlocked.CompareExchange(ref _waiter, created, null) ?? created;
            if (IsFinished)
            {
                Settle(waiter);
            }

            return waiter.Task;
        }
    }

    /// <summary>Runs as the owner of <paramref name="channel"/> (never on a retired channel).</summary>
    protected internal abstract void Execute(RoomChannel channel);

    internal void Finish(Exception? failure)
    {
        _failure = failure;
        Interlocked.Exchange(ref _finished, 1);
        if (Volatile.Read(ref _waiter) is { } waiter)
        {
            Settle(waiter);
        }
    }

    private void Settle(TaskCompletionSource waiter)
    {
        if (_failure is null)
        {
            waiter.TrySetResult();
        }
        else
        {
            waiter.TrySetException(_failure);
        }
    }
}
