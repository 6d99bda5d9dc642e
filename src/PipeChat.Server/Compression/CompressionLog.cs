using Microsoft.Extensions.Logging;

namespace PipeChat.Server.Compression;

/// <summary>Compression's log messages (event ids 120-129).</summary>
internal static partial class CompressionLog
{
    [LoggerMessage(120, LogLevel.Warning, "permessage-deflate is off: the runtime's zlib self-test failed ({Reason}). Clients are served uncompressed; set --permessage-deflate false to silence this, or run on a runtime whose System.IO.Compression.Native exports the zlib entry points PipeChat binds")]
    public static partial void SelfTestFailed(ILogger logger, string reason);
}
