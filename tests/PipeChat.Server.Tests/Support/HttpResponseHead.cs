namespace PipeChat.Server.Tests.Support;

/// <summary>The status line and headers of an HTTP/1.1 response, as read off the socket.</summary>
internal sealed record HttpResponseHead(string StatusLine, int StatusCode, IReadOnlyDictionary<string, string> Headers)
{
    public static HttpResponseHead Parse(string head)
    {
        var lines = head.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var statusLine = lines[0];
        var parts = statusLine.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || !int.TryParse(parts[1], out var status))
        {
            throw new InvalidDataException($"not an HTTP/1.x status line: \"{statusLine}\"");
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.AsSpan(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new InvalidDataException($"malformed header line: \"{line}\"");
            }

            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            headers[name] = headers.TryGetValue(name, out var existing) ? existing + ", " + value : value;
        }

        return new HttpResponseHead(statusLine, status, headers);
    }
}
