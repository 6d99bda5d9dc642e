using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PipeChat.Protocol.Handshake;
using PipeChat.Server.Chat;
using PipeChat.Server.Diagnostics;
using PipeChat.Server.Hosting;

namespace PipeChat.Server.Http.Api;

/// <summary>
/// The HTTP API app backends call (docs/api.md): publish to a room, a private message, a
/// broadcast, disconnect a user, a room's members, a user's presence, server stats. Requests
/// arrive on the WebSocket port like /healthz (one request per connection) and are answered in
/// two steps: <see cref="Begin"/> (synchronous, over the received bytes: route, key, body
/// framing and JSON) and <see cref="RunAsync"/> (the chat layer's shared code, which may wait on
/// Redis). Off (404) unless an API key is configured.
/// </summary>
internal sealed class ServerApi : IDisposable
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(5);

    private readonly ChatApplication _chat;
    private readonly ServerMetrics _metrics;
    private readonly byte[] _keyHash;
    private readonly int _maxBodyBytes;
    private readonly RateSampler _rates;

    public ServerApi(ServerOptions options, ChatApplication chat, ServerMetrics metrics)
    {
        _chat = chat;
        _metrics = metrics;
        _keyHash = SHA256.HashData(Encoding.UTF8.GetBytes(options.ApiKey ?? throw new ArgumentException("the API needs a key", nameof(options))));
        _maxBodyBytes = options.ApiMaxBodyBytes;
        _rates = new RateSampler(metrics);
    }

    public static bool IsApiPath(ReadOnlySpan<byte> path) => path.SequenceEqual("/api"u8) || path.StartsWith("/api/"u8);

    public void Dispose() => _rates.Dispose();

    /// <summary>
    /// The synchronous step for a request to /api/*. <paramref name="afterHead"/> holds the bytes
    /// received after the request head. Either more bytes are needed (the body is incomplete),
    /// or the answer is written (errors), or the request is read and waits for <see cref="RunAsync"/>.
    /// </summary>
    public static HttpAnswer Begin(ServerApi? api, in HandshakeRequest request, in ReadOnlySequence<byte> afterHead, IBufferWriter<byte> output)
    {
        var declared = Math.Max(request.ContentLength, 0);
        var refused = HttpAnswer.Refused(declared, afterHead.Length);
        if (api is null)
        {
            new ApiProblem(404, ApiProblemCodes.NotFound, "the server API is off: start the server with --api-key").Write(output);
            return refused;
        }

        if (!TryRoute(request.Path, out var endpoint))
        {
            new ApiProblem(404, ApiProblemCodes.NotFound, "no such API endpoint (see docs/api.md)").Write(output);
            return refused;
        }

        var isStats = endpoint == ApiEndpoint.Stats;
        if (!request.IsPost && !isStats)
        {
            ApiProblem.WriteMethodNotAllowed(output, getAllowed: false);
            return refused;
        }

        if (!api.IsAuthorized(request))
        {
            new ApiProblem(401, ApiProblemCodes.Unauthorized, "send the API key as Authorization: Bearer <key> (or X-API-Key: <key>)").Write(output);
            return refused;
        }

        if (request.IsPost && (request.HasTransferEncoding || request.ContentLength < 0))
        {
            new ApiProblem(411, ApiProblemCodes.LengthRequired, "send the body with a Content-Length (chunked transfer coding is not supported)").Write(output);
            return refused with { DrainBytes = 0 };
        }

        if (declared > api._maxBodyBytes)
        {
            new ApiProblem(413, ApiProblemCodes.TooLarge, $"the body is larger than {api._maxBodyBytes} bytes (--api-max-body-bytes)").Write(output);
            return refused;
        }

        if (afterHead.Length < declared)
        {
            return new HttpAnswer(true, 0, 0, null);
        }

        if (isStats)
        {
            return new HttpAnswer(false, declared, 0, ApiRequest.ForStats());
        }

        var body = afterHead.Slice(0, declared);
        var rented = body.IsSingleSegment ? null : ArrayPool<byte>.Shared.Rent((int)declared);
        try
        {
            ReadOnlySpan<byte> bytes;
            if (rented is null)
            {
                bytes = body.FirstSpan;
            }
            else
            {
                body.CopyTo(rented);
                bytes = rented.AsSpan(0, (int)declared);
            }

            if (!ApiRequest.TryRead(endpoint, bytes, out var apiRequest, out var problem))
            {
                problem.Write(output);
                return new HttpAnswer(false, declared, 0, null);
            }

            return new HttpAnswer(false, declared, 0, apiRequest);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Runs a read request through the chat layer and writes the response. Never throws.</summary>
    public async Task RunAsync(ApiRequest request, IBufferWriter<byte> output)
    {
        try
        {
            switch (request.Endpoint)
            {
                case ApiEndpoint.Stats:
                    WriteJson(output, WriteStats);
                    return;
                case ApiEndpoint.Disconnect:
                    var told = await _chat.ApiDisconnectAsync(request.UserId, request.Connection, request.Reason).WaitAsync(ReplyTimeout);
                    WriteJson(output, json => json.WriteBoolean("disconnected"u8, told));
                    return;
            }

            var reply = new ApiReply(request.From);
            var work = request.Endpoint switch
            {
                ApiEndpoint.Publish => _chat.ApiPublish(reply, request.RoomId, request.From, request.Data),
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
                    HandshakeResponse.WriteResponse(output, 200, "application/json"u8, data.Span);
                    return;
                case "ack" when request.Endpoint == ApiEndpoint.Notice:
                case "error" when request.Endpoint == ApiEndpoint.Notice && errorCode == Protocol.Chat.ChatErrorCodes.Offline:
                    WriteJson(output, json => json.WriteBoolean("online"u8, type == "ack"));
                    return;
                case "ack":
                    WriteJson(output, json => json.WriteBoolean("ok"u8, true));
                    return;
                default:
                    new ApiProblem(500, ApiProblemCodes.Internal, "the chat layer refused the request: " + (errorCode ?? type)).Write(output);
                    return;
            }
        }
        catch (TimeoutException)
        {
            new ApiProblem(503, ApiProblemCodes.Unavailable, "the request was not done in time (Redis slow or unreachable?): it may or may not have taken effect").Write(output);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            new ApiProblem(500, ApiProblemCodes.Internal, "internal error").Write(output);
        }
    }

    private static bool TryRoute(ReadOnlySpan<byte> path, out ApiEndpoint endpoint)
    {
        endpoint = path switch
        {
            _ when path.SequenceEqual("/api/publish"u8) => ApiEndpoint.Publish,
            _ when path.SequenceEqual("/api/notice"u8) => ApiEndpoint.Notice,
            _ when path.SequenceEqual("/api/broadcast"u8) => ApiEndpoint.Broadcast,
            _ when path.SequenceEqual("/api/disconnect"u8) => ApiEndpoint.Disconnect,
            _ when path.SequenceEqual("/api/members"u8) => ApiEndpoint.Members,
            _ when path.SequenceEqual("/api/online"u8) => ApiEndpoint.Online,
            _ when path.SequenceEqual("/api/stats"u8) => ApiEndpoint.Stats,
            _ => (ApiEndpoint)(-1),
        };
        return endpoint >= 0;
    }

    /// <summary>Authorization: Bearer &lt;key&gt; or X-API-Key: &lt;key&gt;, compared in constant time (as SHA-256 digests, so the length does not leak either).</summary>
    private bool IsAuthorized(in HandshakeRequest request)
    {
        ReadOnlySpan<byte> presented;
        if (request.TryGetHeader("Authorization"u8, out var authorization))
        {
            if (authorization.Length <= 7 || !System.Text.Ascii.EqualsIgnoreCase(authorization[..7], "Bearer "u8))
            {
                return false;
            }

            presented = authorization[7..].Trim((byte)' ');
        }
        else if (!request.TryGetHeader("X-API-Key"u8, out presented))
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(presented, hash);
        return CryptographicOperations.FixedTimeEquals(hash, _keyHash);
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

    private static void WriteJson(IBufferWriter<byte> output, Action<Utf8JsonWriter> members)
    {
        var body = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(body, ApiProblem.JsonOptions))
        {
            json.WriteStartObject();
            members(json);
            json.WriteEndObject();
        }

        HandshakeResponse.WriteResponse(output, 200, "application/json"u8, body.WrittenSpan);
    }

    /// <summary>Messages in and out per second over the last ten seconds, from the server's counters sampled once a second.</summary>
    private sealed class RateSampler : IDisposable
    {
        private const int Slots = 11;
        private readonly ServerMetrics _metrics;
        private readonly (long Ticks, long In, long Out)[] _samples = new (long, long, long)[Slots];
        private readonly Lock _lock = new();
        private readonly Timer _timer;
        private int _count;
        private int _next;

        public RateSampler(ServerMetrics metrics)
        {
            _metrics = metrics;
            Sample();
            _timer = new Timer(static s => ((RateSampler)s!).Sample(), this, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        }

        public (double In, double Out) PerSecond()
        {
            lock (_lock)
            {
                var now = (Environment.TickCount64, _metrics.MessagesIn, _metrics.MessagesOut);
                var oldest = _samples[_count < Slots ? 0 : _next];
                var seconds = (now.TickCount64 - oldest.Ticks) / 1000.0;
                return seconds <= 0 ? (0, 0) : ((now.MessagesIn - oldest.In) / seconds, (now.MessagesOut - oldest.Out) / seconds);
            }
        }

        public void Dispose() => _timer.Dispose();

        private void Sample()
        {
            lock (_lock)
            {
                _samples[_next] = (Environment.TickCount64, _metrics.MessagesIn, _metrics.MessagesOut);
                _next = (_next + 1) % Slots;
                _count = Math.Min(_count + 1, Slots);
            }
        }
    }
}

/// <summary>
/// How a plain HTTP request was answered: <see cref="NeedMoreData"/> (its body is still coming),
/// else the body bytes it used, the bytes of a refused body to read and drop before closing, and
/// an API request still to run.
/// </summary>
internal readonly record struct HttpAnswer(bool NeedMoreData, long BodyBytes, long DrainBytes, ApiRequest? Pending)
{
    /// <summary>Most bytes read and dropped after refusing a request whose body is still coming (so the answer is not lost to a TCP reset).</summary>
    public const long MaxDrainBytes = 1024 * 1024;

    public static HttpAnswer Done => default;

    /// <summary>Answered without using the body: what of it has arrived is skipped, the rest (up to <see cref="MaxDrainBytes"/>) drained.</summary>
    public static HttpAnswer Refused(long contentLength, long received)
    {
        var declared = Math.Max(contentLength, 0);
        return new HttpAnswer(false, Math.Min(declared, received), Math.Min(Math.Max(declared - received, 0), MaxDrainBytes), null);
    }
}
