namespace PipeChat.LoadTest.Metrics;

/// <summary>A copy of <see cref="RunCounters"/> at one moment; sums over processes.</summary>
public sealed class CounterSnapshot
{
    public long ConnectAttempts { get; set; }
    public long Established { get; set; }
    public long ConnectFailed { get; set; }
    public long Open { get; set; }
    public long DroppedByServer { get; set; }
    public long Sent { get; set; }
    public long Expected { get; set; }
    public long Delivered { get; set; }
    public long Duplicated { get; set; }
    public long OutOfOrder { get; set; }
    public long SeqGaps { get; set; }
    public long Presence { get; set; }
    public long OtherMessages { get; set; }
    public long ServerErrors { get; set; }
    public long BytesReceived { get; set; }
    public long ChurnConnected { get; set; }
    public long ChurnFailed { get; set; }
    public long WindowStalls { get; set; }
    public long Errors { get; set; }

    /// <summary>Messages expected but never seen (after the drain).</summary>
    public long Lost => Math.Max(0, Expected - (Delivered - Duplicated));

    public static CounterSnapshot Of(RunCounters c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new()
        {
            ConnectAttempts = Volatile.Read(ref c.ConnectAttempts),
            Established = Volatile.Read(ref c.Established),
            ConnectFailed = Volatile.Read(ref c.ConnectFailed),
            Open = Volatile.Read(ref c.Open),
            DroppedByServer = Volatile.Read(ref c.DroppedByServer),
            Sent = Volatile.Read(ref c.Sent),
            Expected = Volatile.Read(ref c.Expected),
            Delivered = Volatile.Read(ref c.Delivered),
            Duplicated = Volatile.Read(ref c.Duplicated),
            OutOfOrder = Volatile.Read(ref c.OutOfOrder),
            SeqGaps = Volatile.Read(ref c.SeqGaps),
            Presence = Volatile.Read(ref c.Presence),
            OtherMessages = Volatile.Read(ref c.OtherMessages),
            ServerErrors = Volatile.Read(ref c.ServerErrors),
            BytesReceived = Volatile.Read(ref c.BytesReceived),
            ChurnConnected = Volatile.Read(ref c.ChurnConnected),
            ChurnFailed = Volatile.Read(ref c.ChurnFailed),
            WindowStalls = Volatile.Read(ref c.WindowStalls),
            Errors = c.ErrorCount,
        };
    }

    public static CounterSnapshot Sum(IEnumerable<CounterSnapshot> all)
    {
        ArgumentNullException.ThrowIfNull(all);
        var s = new CounterSnapshot();
        foreach (var c in all)
        {
            s.ConnectAttempts += c.ConnectAttempts;
            s.Established += c.Established;
            s.ConnectFailed += c.ConnectFailed;
            s.Open += c.Open;
            s.DroppedByServer += c.DroppedByServer;
            s.Sent += c.Sent;
            s.Expected += c.Expected;
            s.Delivered += c.Delivered;
            s.Duplicated += c.Duplicated;
            s.OutOfOrder += c.OutOfOrder;
            s.SeqGaps += c.SeqGaps;
            s.Presence += c.Presence;
            s.OtherMessages += c.OtherMessages;
            s.ServerErrors += c.ServerErrors;
            s.BytesReceived += c.BytesReceived;
            s.ChurnConnected += c.ChurnConnected;
            s.ChurnFailed += c.ChurnFailed;
            s.WindowStalls += c.WindowStalls;
            s.Errors += c.Errors;
        }

        return s;
    }
}
