using System.Text;
using Microsoft.Extensions.Logging;

namespace PipeChat.Server.Content;

/// <summary>
/// The --word-list file (UTF-8, one word or phrase a line; a BOM, CR and surrounding spaces are
/// ignored, blank lines skipped) and the matcher built from it. The file is read again when it
/// changes: a <see cref="FileSystemWatcher"/> on its folder notices writes, creations and renames
/// (an editor's save-by-rename, a deploy's atomic move) and a poll of its time stamp and size
/// catches what the watcher misses (network file systems, inotify limits). A new matcher is
/// built off to the side and swapped in with one reference write, so a message in flight uses
/// the old list or the new one, never half of each. A file that cannot be read keeps the
/// current list (logged).
/// </summary>
internal sealed class WordListFile : IDisposable
{
    private static readonly TimeSpan s_settle = TimeSpan.FromMilliseconds(100);

    private readonly string _path;
    private readonly ILogger _logger;
    private readonly FileSystemWatcher? _watcher;
    private readonly Timer _poll;
    private readonly Timer _settle;
    private readonly object _reloading = new();
    private WordMatcher _current;
    private (DateTime Written, long Length) _stamp;
    private int _disposed;

    /// <summary>Reads the file now (throws <see cref="IOException"/> naming --word-list when it cannot), then watches it.</summary>
    public WordListFile(string path, ILogger logger, TimeSpan pollInterval)
    {
        _path = Path.GetFullPath(path);
        _logger = logger;
        try
        {
            _stamp = Stamp();
            _current = Read(_path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"--word-list (PIPECHAT_WORD_LIST): cannot read '{path}': {ex.Message}", ex);
        }

        ContentLog.WordListLoaded(_logger, _path, _current.Count, _current.Skipped);
        _settle = new Timer(static s => ((WordListFile)s!).Reload(), this, Timeout.Infinite, Timeout.Infinite);
        _poll = new Timer(static s => ((WordListFile)s!).Poll(), this, pollInterval, pollInterval);
        try
        {
            _watcher = new FileSystemWatcher(Path.GetDirectoryName(_path)!, Path.GetFileName(_path))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            _watcher.Changed += OnEvent;
            _watcher.Created += OnEvent;
            _watcher.Renamed += OnEvent;
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException)
        {
            // Out of inotify watches, or a file system without notifications: the poll still works.
            _watcher?.Dispose();
            _watcher = null;
            ContentLog.WordListWatchFailed(_logger, _path, ex.Message);
        }
    }

    /// <summary>The matcher of the last good read.</summary>
    public WordMatcher Current => Volatile.Read(ref _current);

    /// <summary>Parses the file's text into words: UTF-8, one a line.</summary>
    public static WordMatcher Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetString(bytes);
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }

        return WordMatcher.Build(text.Split('\n'));
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _watcher?.Dispose();
        _poll.Dispose();
        _settle.Dispose();
    }

    private void OnEvent(object sender, FileSystemEventArgs e)
    {
        // Writers often touch the file several times in a row: read it once they settle.
        try
        {
            _settle.Change(s_settle, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void Poll()
    {
        try
        {
            if (Stamp() != _stamp)
            {
                Reload();
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone for a moment (a deploy replacing it): keep the current list, look again next poll.
        }
    }

    private void Reload()
    {
        if (Volatile.Read(ref _disposed) != 0 || !Monitor.TryEnter(_reloading))
        {
            return;
        }

        try
        {
            // The stamp is taken before reading: a write during the read shows up at the next poll.
            var stamp = Stamp();
            var matcher = Read(_path);
            _stamp = stamp;
            Volatile.Write(ref _current, matcher);
            ContentLog.WordListLoaded(_logger, _path, matcher.Count, matcher.Skipped);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ContentLog.WordListReloadFailed(_logger, _path, ex.Message);
        }
        finally
        {
            Monitor.Exit(_reloading);
        }
    }

    private (DateTime, long) Stamp()
    {
        var info = new FileInfo(_path);
        if (!info.Exists)
        {
            throw new FileNotFoundException("no such file", _path);
        }

        return (info.LastWriteTimeUtc, info.Length);
    }
}
