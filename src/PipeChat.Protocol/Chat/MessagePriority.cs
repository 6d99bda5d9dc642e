namespace PipeChat.Protocol.Chat;

/// <summary>
/// A room message's priority (<c>"priority"</c> in a room request's data): under a room's ingress
/// cap low is dropped first, then normal; a member that falls behind skips low, then normal;
/// high is never dropped by the cap nor skipped. The default (0) is normal.
/// </summary>
public enum MessagePriority : byte
{
    Normal = 0,
    Low = 1,
    High = 2,
}

/// <summary>Helpers for <see cref="MessagePriority"/>.</summary>
public static class MessagePriorities
{
    /// <summary>Low 0, normal 1, high 2: a higher rank is kept longer.</summary>
    public static int Rank(MessagePriority priority) => priority switch
    {
        MessagePriority.Low => 0,
        MessagePriority.High => 2,
        _ => 1,
    };

    /// <summary>The wire name: "low", "normal" or "high".</summary>
    public static string Name(MessagePriority priority) => priority switch
    {
        MessagePriority.Low => "low",
        MessagePriority.High => "high",
        _ => "normal",
    };

    /// <summary>Reads a wire name (case-sensitive); false for anything else.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, out MessagePriority priority)
    {
        if (utf8.SequenceEqual("normal"u8))
        {
            priority = MessagePriority.Normal;
            return true;
        }

        if (utf8.SequenceEqual("low"u8))
        {
            priority = MessagePriority.Low;
            return true;
        }

        if (utf8.SequenceEqual("high"u8))
        {
            priority = MessagePriority.High;
            return true;
        }

        priority = MessagePriority.Normal;
        return false;
    }

    /// <inheritdoc cref="TryParse(ReadOnlySpan{byte}, out MessagePriority)"/>
    public static bool TryParse(string? text, out MessagePriority priority)
        => TryParse(System.Text.Encoding.UTF8.GetBytes(text ?? ""), out priority);
}
