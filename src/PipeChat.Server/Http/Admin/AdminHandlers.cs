using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using PipeChat.Server.Chat;
using PipeChat.Server.Diagnostics;
using PipeChat.Server.Http.Api;

namespace PipeChat.Server.Http.Admin;

/// <summary>
/// The admin dashboard's read requests (GET, JSON, behind the API key): the node's overview with
/// its recent series, its largest rooms, and one room's members and last messages. Moderation
/// is done with the server API's own endpoints.
/// </summary>
internal sealed class AdminHandlers(ApiKey key, ChatApplication chat, ServerMetrics metrics, AdminSeries series)
{
    private const int MaxRooms = 200;
    private const int MaxMessages = 100;
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(5);

    public IResult Overview(HttpContext context)
    {
        if (!key.IsPresentedBy(context.Request))
        {
            return Unauthorized();
        }

        var (chatConnections, users, rooms) = chat.LocalCounts;
        return Json(json =>
        {
            json.WriteNumber("connections"u8, metrics.ConnectionsOpen);
            json.WriteNumber("chatConnections"u8, chatConnections);
            json.WriteNumber("users"u8, users);
            json.WriteNumber("rooms"u8, rooms);
            json.WriteNumber("messagesIn"u8, metrics.MessagesIn);
            json.WriteNumber("messagesOut"u8, metrics.MessagesOut);
            json.WriteNumber("slowConsumers"u8, metrics.SlowConsumers);
            json.WriteBoolean("degraded"u8, chat.Degraded);
            json.WriteNumber("intervalMs"u8, (long)AdminSeries.Interval.TotalMilliseconds);
            json.WriteStartArray("series"u8);
            foreach (var sample in series.Snapshot())
            {
                json.WriteStartObject();
                json.WriteNumber("t"u8, sample.UnixMs);
                json.WriteNumber("connections"u8, sample.Connections);
                json.WriteNumber("users"u8, sample.Users);
                json.WriteNumber("rooms"u8, sample.Rooms);
                json.WriteNumber("inPerSecond"u8, sample.InPerSecond);
                json.WriteNumber("outPerSecond"u8, sample.OutPerSecond);
                json.WriteNumber("slowPerMinute"u8, sample.SlowPerMinute);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        });
    }

    public IResult Rooms(HttpContext context)
    {
        if (!key.IsPresentedBy(context.Request))
        {
            return Unauthorized();
        }

        if (!TryReadLimit(context, 50, MaxRooms, out var limit, out var problem))
        {
            return problem;
        }

        var rooms = chat.LargestRooms(limit);
        return Json(json =>
        {
            json.WriteStartArray("rooms"u8);
            foreach (var (id, members, users) in rooms)
            {
                json.WriteStartObject();
                json.WriteString("roomid"u8, id);
                json.WriteNumber("connections"u8, members);
                json.WriteNumber("users"u8, users);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        });
    }

    /// <summary>A room's members (every node with Redis) and last messages: the <c>members</c> and <c>history</c> replies a member would get.</summary>
    public async Task<IResult> Room(HttpContext context)
    {
        if (!key.IsPresentedBy(context.Request))
        {
            return Unauthorized();
        }

        var roomId = context.Request.Query["roomid"].ToString();
        if (roomId.Length == 0)
        {
            return new ApiProblem(400, ApiProblemCodes.MissingField, "give the room as ?roomid=");
        }

        if (System.Text.Encoding.UTF8.GetByteCount(roomId) > Protocol.Chat.ChatRequestParser.MaxIdLength)
        {
            return new ApiProblem(400, ApiProblemCodes.InvalidField, "roomid must be 1 to 128 UTF-8 bytes");
        }

        if (!TryReadLimit(context, 30, MaxMessages, out var limit, out var problem))
        {
            return problem;
        }

        try
        {
            var membersReply = new ApiReply("admin");
            await chat.ApiQuery(membersReply, System.Text.Encoding.UTF8.GetBytes(roomId), default).WaitAsync(ReplyTimeout);
            var historyReply = new ApiReply("admin");
            await chat.ApiHistory(historyReply, roomId, limit).WaitAsync(ReplyTimeout);
            var (_, members, _) = ApiReply.Read(await membersReply.Reply.WaitAsync(ReplyTimeout));
            var (historyType, history, _) = ApiReply.Read(await historyReply.Reply.WaitAsync(ReplyTimeout));
            return Json(json =>
            {
                json.WriteString("roomid"u8, roomId);
                json.WritePropertyName("members"u8);
                json.WriteRawValue(members.Span, skipInputValidation: true);
                json.WritePropertyName("history"u8);
                if (historyType == "history")
                {
                    json.WriteRawValue(history.Span, skipInputValidation: true);
                }
                else
                {
                    json.WriteNullValue();
                }
            });
        }
        catch (TimeoutException)
        {
            return new ApiProblem(503, ApiProblemCodes.Unavailable, "the room was not read in time (Redis slow or unreachable?)");
        }
    }

    private static bool TryReadLimit(HttpContext context, int fallback, int max, out int limit, out IResult problem)
    {
        problem = Results.Empty;
        var raw = context.Request.Query["limit"].ToString();
        if (raw.Length == 0)
        {
            limit = fallback;
            return true;
        }

        if (int.TryParse(raw, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out limit) && limit is > 0 && limit <= max)
        {
            return true;
        }

        problem = new ApiProblem(400, ApiProblemCodes.InvalidField, $"limit must be a whole number from 1 to {max}");
        return false;
    }

    private static ApiProblem Unauthorized()
        => new(401, ApiProblemCodes.Unauthorized, "send the API key as Authorization: Bearer <key> (or X-API-Key: <key>)");

    private static IResult Json(Action<Utf8JsonWriter> members)
    {
        var body = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(body, ApiProblem.JsonOptions))
        {
            json.WriteStartObject();
            members(json);
            json.WriteEndObject();
        }

        return Results.Bytes(body.WrittenMemory, "application/json");
    }
}
