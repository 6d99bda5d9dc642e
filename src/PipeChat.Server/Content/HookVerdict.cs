using System.Text;
using System.Text.Json;

namespace PipeChat.Server.Content;

/// <summary>What the publish hook decided about one message (docs/hooks.md has the JSON).</summary>
internal readonly record struct HookVerdict(HookVerdictKind Kind, string? Code, byte[]? Data)
{
    private const int MaxCodeLength = 64;

    public static readonly HookVerdict Allow = new(HookVerdictKind.Allow, null, null);

    /// <summary>The hook failed: unreachable, timed out, a status other than 200/204, or an answer not in the contract; <see cref="Code"/> says which (for the log).</summary>
    public static HookVerdict Failed(string why) => new(HookVerdictKind.Failed, why, null);

    /// <summary>
    /// Reads a 200 answer: <c>{"action":"allow"}</c>, <c>{"action":"reject","code":"spam"}</c>
    /// (code optional: 1 to 64 characters) or <c>{"action":"replace","data":&lt;any JSON&gt;}</c>.
    /// An empty body allows. Anything else is a failure.
    /// </summary>
    public static HookVerdict Parse(ReadOnlySpan<byte> body)
    {
        if (body.Trim(" \t\r\n"u8).IsEmpty)
        {
            return Allow;
        }

        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("action", out var action) || action.ValueKind != JsonValueKind.String)
            {
                return Failed("answer without \"action\"");
            }

            switch (action.GetString())
            {
                case "allow":
                    return Allow;
                case "reject":
                    if (!root.TryGetProperty("code", out var code) || code.ValueKind == JsonValueKind.Null)
                    {
                        return new HookVerdict(HookVerdictKind.Reject, Rejection.Default, null);
                    }

                    return code.ValueKind == JsonValueKind.String && code.GetString() is { Length: > 0 and <= MaxCodeLength } text
                        ? new HookVerdict(HookVerdictKind.Reject, text, null)
                        : Failed("reject with a code that is not a string of 1 to 64 characters");
                case "replace":
                    return root.TryGetProperty("data", out var data)
                        ? new HookVerdict(HookVerdictKind.Replace, null, Encoding.UTF8.GetBytes(data.GetRawText()))
                        : Failed("replace without \"data\"");
                default:
                    return Failed("unknown action");
            }
        }
        catch (JsonException)
        {
            return Failed("answer is not JSON");
        }
    }
}

internal enum HookVerdictKind
{
    Allow,
    Reject,
    Replace,
    Failed,
}
