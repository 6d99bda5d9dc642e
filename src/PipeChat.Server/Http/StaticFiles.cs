using System.Collections.Frozen;
using System.Text;

namespace PipeChat.Server.Http;

/// <summary>
/// The web demo's files as the WebSocket port once served them (ServerContext still builds it;
/// nothing reads it now that the demo is on the HTTP port: it goes at merge). Only files
/// found then are served, by exact path, so no request can reach outside the folder.
/// </summary>
internal sealed class StaticFiles
{
    private readonly FrozenDictionary<string, (byte[] Body, byte[] ContentType)> _files;

    public StaticFiles(string root)
    {
        var files = new Dictionary<string, (byte[], byte[])>(StringComparer.Ordinal);
        if (Directory.Exists(root))
        {
            foreach (var path in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            {
                var relative = "/" + Path.GetRelativePath(root, path).Replace('\\', '/');
                files[relative] = (File.ReadAllBytes(path), Encoding.ASCII.GetBytes(ContentTypeOf(path)));
            }

            if (files.TryGetValue("/index.html", out var index))
            {
                files["/"] = index;
            }
        }

        _files = files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public int Count => _files.Count;

    public bool TryGet(ReadOnlySpan<byte> path, out byte[] body, out byte[] contentType)
    {
        body = contentType = [];
        if (path.Length > 256)
        {
            return false;
        }

        Span<char> chars = stackalloc char[path.Length];
        var count = Encoding.ASCII.GetChars(path, chars);
        if (_files.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(chars[..count], out var file))
        {
            (body, contentType) = file;
            return true;
        }

        return false;
    }

    private static string ContentTypeOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" or ".mjs" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".json" => "application/json",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".ico" => "image/x-icon",
        _ => "application/octet-stream",
    };
}
