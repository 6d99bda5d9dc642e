using System.Text.Json;
using PipeChat.Server.Rooms;
using PipeChat.Server.Buffers;
using PipeChat.Server.Connections;

namespace PipeChat.Server.Http.Api;

/// <summary>
/// Stands in for the member connection a chat request would come from: the shared chat code
/// sends its reply (ack, error, members, online) here, and the API answers the HTTP request
/// with it. Keeps only the first reply, as a copy of its JSON.
/// </summary>
internal sealed class ApiReply(string from) : IRoomMember
{
    private readonly TaskCompletionSource<byte[]> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long ConnectionId => 0;

    public string UserId { get; } = from;

    public Task<byte[]> Reply => _reply.Task;

    public bool TrySend(SharedFrame frame)
    {
        // Copied, so no reference is kept.
        _reply.TrySetResult(frame.Payload.ToArray());
        return true;
    }

    /// <summary>The reply's <c>type</c>, its <c>data</c> as raw JSON (empty when absent), and for an error its <c>code</c>.</summary>
    public static (string Type, ReadOnlyMemory<byte> Data, string? ErrorCode) Read(byte[] json)
    {
        var reader = new Utf8JsonReader(json);
        string type = "";
        ReadOnlyMemory<byte> data = default;
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isType = reader.ValueTextEquals("type"u8);
            var isData = reader.ValueTextEquals("data"u8);
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            if (isType)
            {
                type = reader.GetString() ?? "";
            }

            reader.Skip();
            if (isData)
            {
                data = json.AsMemory(start, (int)reader.BytesConsumed - start);
            }
        }

        string? code = null;
        if (type == "error" && !data.IsEmpty)
        {
            using var document = JsonDocument.Parse(data);
            code = document.RootElement.TryGetProperty("code", out var value) ? value.GetString() : null;
        }

        return (type, data, code);
    }
}
