using System.Globalization;

namespace PipeChat.LoadTest.Metrics;

/// <summary>Reads a process's resident memory and CPU time from /proc (Linux).</summary>
public sealed class ProcessProbe
{
    private const double ClockTicksPerSecond = 100; // sysconf(_SC_CLK_TCK) on Linux
    private readonly int _pid;
    private long _lastTicks = -1;
    private long _lastTimestamp;

    public ProcessProbe(int pid) => _pid = pid;

    /// <summary>VmRSS in bytes, or -1 when the process is gone.</summary>
    public long ReadRssBytes()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{_pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var digits = line.AsSpan(6).Trim();
                    digits = digits[..digits.IndexOf(' ')];
                    return long.Parse(digits, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return -1;
    }

    /// <summary>utime + stime in clock ticks, or -1.</summary>
    public long ReadCpuTicks()
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{_pid}/stat");
            // The command name (field 2) may contain spaces: fields are counted after its closing paren.
            var rest = stat.AsSpan(stat.LastIndexOf(')') + 2);
            var field = 3;
            long utime = 0;
            foreach (var range in rest.Split(' '))
            {
                if (field == 14)
                {
                    utime = long.Parse(rest[range], CultureInfo.InvariantCulture);
                }
                else if (field == 15)
                {
                    return utime + long.Parse(rest[range], CultureInfo.InvariantCulture);
                }

                field++;
            }
        }
        catch (IOException)
        {
        }

        return -1;
    }

    /// <summary>CPU use since the previous call, in percent of one core (NaN on the first call).</summary>
    public double SampleCpuPercent()
    {
        var ticks = ReadCpuTicks();
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = double.NaN;
        if (_lastTicks >= 0 && ticks >= 0)
        {
            var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(_lastTimestamp, now).TotalSeconds;
            if (seconds > 0)
            {
                result = (ticks - _lastTicks) / ClockTicksPerSecond / seconds * 100;
            }
        }

        _lastTicks = ticks;
        _lastTimestamp = now;
        return result;
    }
}
