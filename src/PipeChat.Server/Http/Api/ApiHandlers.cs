using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using PipeChat.Server.Configuration;
using PipeChat.Server.Chat;
using PipeChat.Server.Diagnostics;

namespace PipeChat.Server.Http.Api;

/// <summary>
/// The server API's requests (docs/api.md), as route handlers on the HTTP port: the key, the
/// body (Content-Length or chunked, at most --api-max-body-bytes), its JSON, then the chat
/// layer's shared code, which may wait on Redis. Every answer is JSON or problem+json.
/// </summary>
internal sealed class ApiHandlers : IDisposable
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(5);

    private readonly ChatApplication _chat;
    private readonly ServerMetrics _metrics;
    private readonly ApiKey _key;
    private readonly int _maxBodyBytes;
    private readonly MessageRates _rates;

    public ApiHandlers(ServerOptions options, ChatApplication chat, ServerMetrics metrics)
    {
        _chat = chat;
        _metrics = metrics;
        _key = new ApiKey(options.ApiKey ?? throw new ArgumentException("the API needs a key", nameof(options)));
        _maxBodyBytes = options.ApiMaxBodyBytes;
        _rates = new MessageRates(metrics);
    }

    public void Dispose() => _rates.Dispose();

    /// <summary>Answers one request to <paramref name="endpoint"/> (its method already matched).</summary>
    public async Task<IResult> HandleAsync(ApiEndpoint endpoint, HttpContext context)
    {
        if (!_key.IsPresentedBy(context.Request))
        {
            return new ApiProblem(401, ApiProblemCodes.Unauthorized, "send the API key as Authorization: Bearer <key> (or X-API-Key: <key>)");
        }

        var tooLarge = new ApiProblem(413, ApiProblemCodes.TooLarge, $"the body is larger than {_maxBodyBytes} bytes (--api-max-body-bytes)");
        if (context.Request.ContentLength > _maxBodyBytes)
        {
            return tooLarge;
        }

        if (endpoint == ApiEndpoint.Stats)
        {
            return Json(WriteStats);
        }

        var body = await ReadBodyAsync(context, _maxBodyBytes);
        if (body is null)
        {
            return tooLarge;
        }

        if (!ApiRequest.TryRead(endpoint, body, out var request, out var problem))
        {
            return problem;
        }

        return await RunAsync(request);
    }

    /// <summary>The whole body, or null when it is longer than <paramref name="limit"/> (whatever its framing).</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpContext context, int limit)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            // Counted here instead, so that a body over the limit gets the API's own 413.
            size.MaxRequestBodySize = null;
        }

        PipeReader reader = context.Request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(context.RequestAborted);
            var buffer = result.Buffer;
            if (buffer.Length > limit)
            {
                reader.AdvanceTo(buffer.End);
                return null;
            }

            if (result.IsCompleted)
            {
                var body = buffer.ToArray();
                reader.AdvanceTo(buffer.End);
                return body;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Runs a read request through the chat layer. Never throws.</summary>
    private async Task<IResult> RunAsync(ApiRequest request)
    {
        try
        {
            if (request.Endpoint == ApiEndpoint.Disconnect)
            {
                var told = await _chat.ApiDisconnectAsync(request.UserId, request.Connection, request.Reason).WaitAsync(ReplyTimeout);
                return Json(json => json.WriteBoolean("disconnected"u8, told));
            }

            if (request.Endpoint == ApiEndpoint.RoomRate)
            {
                _chat.ApiSetRoomRate(request.RoomId, request.Rate);
                return Json(json => json.WriteBoolean("ok"u8, true));
            }

            if (request.Endpoint == ApiEndpoint.RoomHost)
            {
                _chat.ApiSetRoomHost(request.RoomId, request.UserId, request.High);
                return Json(json => json.WriteBoolean("ok"u8, true));
            }

            var reply = new ApiReply(request.From);
            var moderation = _chat.ApiModeration;
            var apiRef = ServerApiOperations.Ref;
            var work = request.Endpoint switch
            {
                ApiEndpoint.Mute => moderation.Mute(reply, request.RoomId, request.UserId, request.Seconds, apiRef),
                ApiEndpoint.Ban => moderation.Ban(reply, request.RoomId, request.UserId, request.Seconds, apiRef),
                ApiEndpoint.Recall => moderation.Recall(reply, request.RoomId, request.Seq, request.From.Length > 0 ? request.From : "server", apiRef),
                ApiEndpoint.ReadOnly => moderation.ReadOnly(reply, request.RoomId, request.On, apiRef),
                                ApiEndpoint.Publish => _chat.ApiPublish(reply, request.RoomId, request.From, request.Data, request.Priority),
                ApiEndpoint.Notice => _chat.ApiNotice(reply, request.UserId, request.From, request.Data),
                ApiEndpoint.Broadcast => _chat.ApiBroadcast(reply, request.From, request.Data),
                ApiEndpoint.Members => _chat.ApiQuery(reply, Encoding.UTF8.GetBytes(request.RoomId), default),
                _ => _chat.ApiQuery(reply, default, Encoding.UTF8.GetBytes(request.UserId)),
            };
            await work.WaitAsync(ReplyTimeout);
            var (type, data, errorCode) = ApiReply.Read(await reply.Reply.WaitAsync(ReplyTimeout));
            switch (type)
            {
                case "ack" when request.Endpoint == ApiEndpoint.Publish:
                case "members":
                case "online":
                    // The reply a member would get, as is: {"seq":42}, the member list, the presence.
                    return Results.Bytes(data, "application/json");
                case "ack" when request.Endpoint == ApiEndpoint.Notice:
                case "error" when request.Endpoint == ApiEndpoint.Notice && errorCode == Protocol.Chat.ChatErrorCodes.Offline:
                    return Json(json => json.WriteBoolean("online"u8, type == "ack"));
                case "ack":
                    return Json(json => json.WriteBoolean("ok"u8, true));
                case "error" when request.Endpoint == ApiEndpoint.Recall && errorCode == Protocol.Chat.ChatErrorCodes.NotFound:
                    return new ApiProblem(404, ApiProblemCodes.NotFound, "the room has no message with that seq");
                default:
                    return new ApiProblem(500, ApiProblemCodes.Internal, "the chat layer refused the request: " + (errorCode ?? type));
            }
        }
        catch (TimeoutException)
        {
            return new ApiProblem(503, ApiProblemCodes.Unavailable, "the request was not done in time (Redis slow or unreachable?): it may or may not have taken effect");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            return new ApiProblem(500, ApiProblemCodes.Internal, "internal error");
        }
    }

    private void WriteStats(Utf8JsonWriter json)
    {
        var (chatConnections, users, rooms) = _chat.LocalCounts;
        var (inRate, outRate) = _rates.PerSecond();
        json.WriteNumber("connections"u8, _metrics.ConnectionsOpen);
        json.WriteNumber("chatConnections"u8, chatConnections);
        json.WriteNumber("users"u8, users);
        json.WriteNumber("rooms"u8, rooms);
        json.WriteNumber("messagesInPerSecond"u8, Math.Round(inRate, 1));
        json.WriteNumber("messagesOutPerSecond"u8, Math.Round(outRate, 1));
        json.WriteNumber("messagesIn"u8, _metrics.MessagesIn);
        json.WriteNumber("messagesOut"u8, _metrics.MessagesOut);
    }

    private static IResult Json(Action<Utf8JsonWriter> members)
    {
        var body = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(body, ApiProblem.JsonOptions))
        {
            json.WriteStartObject();
            members(json);
            json.WriteEndObject();
        }

        return Results.Bytes(body.WrittenMemory, "application/json");
    }
}
