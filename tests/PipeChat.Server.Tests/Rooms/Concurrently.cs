using System.Runtime.ExceptionServices;

namespace PipeChat.Server.Tests.Rooms;

/// <summary>Runs actions on dedicated threads released together; rethrows the first failure.</summary>
internal static class Concurrently
{
    public static void Run(params Action[] actions)
    {
        using var start = new Barrier(actions.Length);
        Exception? failure = null;
        var threads = actions.Select(action => new Thread(() =>
        {
            start.SignalAndWait();
            try
            {
                action();
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, e, null);
            }
        })).ToArray();

        foreach (var t in threads)
        {
            t.Start();
        }

        foreach (var t in threads)
        {
            t.Join();
        }

        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }
}
