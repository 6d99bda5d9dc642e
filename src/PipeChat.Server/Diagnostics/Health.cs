namespace PipeChat.Server.Diagnostics;

/// <summary>The /healthz answer, the same on both ports: 200 "ok", 200 "degraded: …" (still serving its own clients), 503 while shutting down.</summary>
internal static class Health
{
    public static ReadOnlySpan<byte> Text(bool shuttingDown, Func<bool>? degraded)
        // Degraded still answers 200: the node serves its own clients, so keep routing to it.
        => shuttingDown ? "shutting down\n"u8
            : degraded?.Invoke() == true ? "degraded: redis unavailable\n"u8
            : "ok\n"u8;
}
