using System.Text.Json;

namespace PipeChat.Server.Tests.Support;

/// <summary>One message a <see cref="ChatClient"/> received: the exact text and its parsed JSON.</summary>
public sealed record Received(string Raw, JsonElement Json)
{
    /// <summary>Arrival number on its connection (1 for the first message).</summary>
    public long Sequence { get; init; }

    public string Type => Json.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";

    public JsonElement Data => Json.GetProperty("data");

    public override string ToString() => Raw;
}
