using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace PipeChat.LoadTest.Client;

/// <summary>
/// <c>--receive poll</c>: one thread per load process reads every connection's socket through its
/// own level-triggered epoll set, and after each event keeps polling with a zero timeout for
/// <see cref="SpinWindow"/> before it blocks again.
/// </summary>
/// <remarks>
/// Why: with the runtime's socket engine the load tool's receive thread sleeps in
/// <c>epoll_wait</c> between arrivals, so every frame a server sends over loopback ends in the
/// kernel waking that thread on the other core, charged to the server's <c>send</c> (22 % of the
/// server's samples in a 10,000-member room on this VM). A server talking to remote clients never
/// pays that. While frames keep coming, a polling receiver has no sleeping waiter to wake, so the
/// server is measured without the loopback artefact; the same for every server under test. The
/// sockets of poll-mode connections never see an asynchronous operation, so the runtime never
/// registers them with its own epoll set (which would wake its thread instead). Linux only.
/// </remarks>
internal sealed unsafe partial class PollReceiver : IDisposable
{
    /// <summary>How long the thread keeps polling with a zero timeout after the last event.</summary>
    public static readonly TimeSpan SpinWindow = TimeSpan.FromMilliseconds(2);

    private const int EpollCtlAdd = 1;
    private const int EpollCtlDel = 2;
    private const uint EpollIn = 0x001;
    private const uint EpollRdHup = 0x2000;
    private const int EpollCloExec = 0x80000;
    private const int Eintr = 4;
    private const int MaxEvents = 256;
    private const int BlockMilliseconds = 50;

    private static readonly Lock s_lock = new();
    private static PollReceiver? s_shared;

    private readonly int _epoll;
    private readonly Thread _thread;
    private readonly ConcurrentQueue<LoadConnection> _removals = new();
    private readonly Lock _slotsLock = new();
    private LoadConnection?[] _slots = new LoadConnection?[1024];
    private readonly Stack<int> _free = new();
    private int _nextSlot;
    private volatile bool _stopping;

    private PollReceiver()
    {
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException("--receive poll needs Linux on x64");
        }

        _epoll = EpollCreate1(EpollCloExec);
        if (_epoll < 0)
        {
            throw new InvalidOperationException($"epoll_create1 failed: errno {Marshal.GetLastPInvokeError()}");
        }

        _thread = new Thread(Run) { IsBackground = true, Name = "poll-receiver" };
        _thread.Start();
    }

    /// <summary>epoll's event layout is declared for x64 (packed) only.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;

    /// <summary>The process's receiver, started on first use.</summary>
    public static PollReceiver Shared
    {
        get
        {
            lock (s_lock)
            {
                return s_shared ??= new PollReceiver();
            }
        }
    }

    /// <summary>Adds the connection's socket; from now on its bytes are read on the receiver thread.</summary>
    public void Add(LoadConnection connection)
    {
        int slot;
        lock (_slotsLock)
        {
            slot = _free.Count > 0 ? _free.Pop() : _nextSlot++;
            if (slot == _slots.Length)
            {
                Array.Resize(ref _slots, _slots.Length * 2);
            }

            Volatile.Write(ref _slots[slot], connection);
        }

        connection.PollSlot = slot;
        var ev = new EpollEvent { Events = EpollIn | EpollRdHup, Data = (ulong)slot };
        if (EpollCtl(_epoll, EpollCtlAdd, connection.PollFd, &ev) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            ReleaseSlot(slot);
            throw new InvalidOperationException($"epoll_ctl(ADD) failed: errno {errno}");
        }
    }

    /// <summary>Asks the receiver thread to stop reading the connection (it drops it at its next turn).</summary>
    public void Remove(LoadConnection connection) => _removals.Enqueue(connection);

    public void Dispose()
    {
        _stopping = true;
        _thread.Join(TimeSpan.FromSeconds(1));
    }

    private void Run()
    {
        var events = stackalloc EpollEvent[MaxEvents];
        var spinTicks = (long)(SpinWindow.TotalSeconds * Stopwatch.Frequency);
        var lastEvent = 0L;
        while (!_stopping)
        {
            while (_removals.TryDequeue(out var gone))
            {
                Drop(gone);
            }

            var spinning = Stopwatch.GetTimestamp() - lastEvent < spinTicks;

            var n = EpollWait(_epoll, events, MaxEvents, spinning ? 0 : BlockMilliseconds);
            if (n < 0)
            {
                if (Marshal.GetLastPInvokeError() == Eintr)
                {
                    continue;
                }

                throw new InvalidOperationException($"epoll_wait failed: errno {Marshal.GetLastPInvokeError()}");
            }

            if (n == 0)
            {
                if (spinning)
                {
                    // Let the process's other threads on this core (the senders' pacing, the sampler) in.
                    Thread.Yield();
                }

                continue;
            }

            lastEvent = Stopwatch.GetTimestamp();
            for (var i = 0; i < n; i++)
            {
                var slot = (int)events[i].Data;
                // The table may have grown since this batch was collected: read the current one.
                var slots = Volatile.Read(ref _slots);
                var connection = slot < slots.Length ? Volatile.Read(ref slots[slot]) : null;
                if (connection is null || connection.PollSlot != slot)
                {
                    continue;
                }

                if (!connection.OnPollReadable())
                {
                    Drop(connection);
                }
            }
        }
    }

    /// <summary>Takes the connection out of the set (receiver thread only), once.</summary>
    private void Drop(LoadConnection connection)
    {
        var slot = connection.PollSlot;
        if (slot < 0)
        {
            return;
        }

        connection.PollSlot = -1;
        var ev = default(EpollEvent);
        _ = EpollCtl(_epoll, EpollCtlDel, connection.PollFd, &ev);
        ReleaseSlot(slot);
        connection.OnPollDropped();
    }

    private void ReleaseSlot(int slot)
    {
        lock (_slotsLock)
        {
            Volatile.Write(ref _slots[slot], null);
            _free.Push(slot);
        }
    }

    /// <summary>Reads what is there without blocking; returns the byte count, 0 at end of stream, or -errno.</summary>
    public static int Receive(int fd, Span<byte> buffer)
    {
        const int MsgDontWait = 0x40;
        fixed (byte* p = buffer)
        {
            var read = Recv(fd, p, (nuint)buffer.Length, MsgDontWait);
            return read >= 0 ? (int)read : -Marshal.GetLastPInvokeError();
        }
    }

    public const int EAgain = 11;

    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    private struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtl(int epfd, int op, int fd, EpollEvent* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static partial int EpollWait(int epfd, EpollEvent* events, int maxEvents, int timeout);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static partial nint Recv(int fd, byte* buffer, nuint length, int flags);
}
