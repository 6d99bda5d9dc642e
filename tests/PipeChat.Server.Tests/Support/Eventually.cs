using System.Diagnostics;

namespace PipeChat.Server.Tests.Support;

/// <summary>
/// Waits for a condition instead of sleeping a fixed time: polls it until it holds or the timeout
/// ends (then fails with what was awaited). For "wait until something has happened"; a delay that
/// is itself under test (stay idle N seconds to trigger a ping) stays a delay.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan s_defaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Polls <paramref name="condition"/> until it is true; throws <see cref="TimeoutException"/> naming <paramref name="what"/> otherwise.</summary>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan? timeout = null, string what = "the condition")
    {
        var deadline = Stopwatch.GetTimestamp() + (long)((timeout ?? s_defaultTimeout).TotalSeconds * Stopwatch.Frequency);
        var pause = 5;
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(pause);
            pause = Math.Min(pause * 2, 100);
        }
    }

    /// <summary>As <see cref="UntilAsync(Func{bool}, TimeSpan?, string)"/> with an asynchronous condition.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan? timeout = null, string what = "the condition")
    {
        var deadline = Stopwatch.GetTimestamp() + (long)((timeout ?? s_defaultTimeout).TotalSeconds * Stopwatch.Frequency);
        var pause = 5;
        while (!await condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(pause);
            pause = Math.Min(pause * 2, 100);
        }
    }
}
